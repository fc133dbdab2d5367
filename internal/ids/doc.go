// Package ids makes the random identifiers salyq puts on the wire:
// messageIds and wsu:Ids.
package ids

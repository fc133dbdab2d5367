// Live updates: the element with data-live is fetched again (its
// fragment URL) when a status event of the page's concern arrives.
"use strict";
(function () {
  const box = document.querySelector("[data-live]");
  if (!box || !window.EventSource) return;
  const only = box.dataset.id; // a form page: its own events only
  const load = async () => {
    const r = await fetch(box.dataset.live, { credentials: "same-origin" });
    if (r.ok) box.innerHTML = await r.text();
  };
  // Soon after an event, then at most once a second while events keep
  // coming (at quarter-end they never pause long enough for a fetch that
  // waits for a pause), and once more 1.5 s after the last one: a poller
  // publishes an event before it writes the board, and the server
  // serves the board as read up to a second ago.
  let soon = null, later = null, last = 0;
  const refresh = () => {
    if (soon === null) {
      soon = setTimeout(() => { soon = null; last = Date.now(); load(); },
        Math.max(150, last + 1000 - Date.now()));
    }
    clearTimeout(later);
    later = setTimeout(load, 1500);
  };
  const es = new EventSource("/ui/events");
  const mark = document.getElementById("live");
  es.onopen = () => { if (mark) mark.hidden = false; };
  es.onerror = () => { if (mark) mark.hidden = true; };
  es.onmessage = (e) => {
    try {
      const ev = JSON.parse(e.data);
      if (!only || ev.id === only) refresh();
    } catch (_) { /* not ours */ }
  };
  es.addEventListener("resync", refresh);
})();

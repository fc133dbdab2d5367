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
  // Soon after a burst of events, and once more a little later: a
  // poller publishes an event before it writes the board, so the first
  // fetch may still read the state before it.
  let soon = null, later = null;
  const refresh = () => {
    clearTimeout(soon);
    clearTimeout(later);
    soon = setTimeout(load, 150);
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

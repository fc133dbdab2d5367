// Live updates: the element with data-live is fetched again (its
// fragment URL) when a status event of the page's concern arrives.
"use strict";
(function () {
  const box = document.querySelector("[data-live]");
  if (!box || !window.EventSource) return;
  const only = box.dataset.id; // a form page: its own events only
  let timer = null;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const r = await fetch(box.dataset.live, { credentials: "same-origin" });
      if (r.ok) box.innerHTML = await r.text();
    }, 150);
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

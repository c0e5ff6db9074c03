// A live page: the element #live is replaced by each fragment its feed (Server-Sent Events)
// sends. EventSource reconnects by itself; the notice shows while it does.
(function () {
  var live = document.getElementById("live");
  var lost = document.getElementById("live-lost");
  if (!live || !window.EventSource) { return; }
  var source = new EventSource(live.dataset.feed);
  source.addEventListener(live.dataset.event, function (message) {
    live.innerHTML = message.data;
    live.dataset.updates = String(Number(live.dataset.updates || 0) + 1);
    live.dataset.updatedAt = String(Date.now());     // for the latency benchmark (bench/console_bench.py)
    if (lost) { lost.hidden = true; }
  });
  source.onerror = function () { if (lost) { lost.hidden = false; } };
})();

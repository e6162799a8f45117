// Live console pages. The server says by server-sent events when the tickets this page shows have
// changed (console/live.py); each part marked data-live-part is then fetched again with htmx and
// swapped in place (on a ticket page: its facts, such as status and who holds it, the conversation,
// the notes and the history). A banner says who changed what: the forms keep the version they were
// loaded with, so the server still refuses a stale one rather than apply it blindly. Without JavaScript, pages just
// do not update until reloaded.
(function () {
  "use strict";
  function start() {
    var marker = document.querySelector("[data-live]");
    if (!marker || !window.EventSource || !window.htmx) return;
    var source = new EventSource(marker.getAttribute("data-live"));
    var page = marker.getAttribute("data-page") || window.location.href;
    source.addEventListener("changed", function (message) {
      var change = JSON.parse(message.data);
      document.querySelectorAll("[data-live-part]").forEach(function (part) {
        // Each part is its own request's source: htmx keeps one request per source, so parts sharing one
        // (the body) would drop all but the last of them.
        var selector = "#" + part.id;
        htmx.ajax("GET", page, { source: selector, target: selector, select: selector, swap: "outerHTML" });
      });
      var what = change.actor + ": " + change.action.replace(/_/g, " ");
      var banner = document.getElementById("live-banner");
      if (banner) {
        banner.querySelector("[data-what]").textContent = what;  // text, never markup
        banner.hidden = false;
      }
      var status = document.getElementById("live-status");
      if (status) status.textContent = "The queue was updated (" + change.reference + ", " + what + ").";
    });
  }
  document.addEventListener("DOMContentLoaded", start);
})();

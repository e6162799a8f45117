// The web chat without reloads: forms are sent in the background, and every message (the user's own
// too) arrives from the server's event stream, already rendered and escaped there. Without this
// script the forms post and the page reloads with the whole conversation.
(() => {
  "use strict";
  const transcript = document.getElementById("transcript");
  const composer = document.getElementById("composer");
  const notice = document.getElementById("notice");
  if (!transcript || !composer || !window.EventSource || !window.fetch) return;

  const nonce = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

  const show = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html;
    const entry = template.content.firstElementChild;
    if (!entry || document.getElementById(entry.id)) return;
    document.getElementById("m0")?.remove(); // the greeting shown before the first message
    const earlier = entry.dataset.replaces && document.getElementById("m" + entry.dataset.replaces);
    if (earlier) earlier.replaceWith(entry);
    else transcript.append(entry);
    entry.scrollIntoView({ block: "end" });
  };

  // On a reconnect the browser sends Last-Event-ID itself, so the stream resumes after the last message shown.
  const events = new EventSource(transcript.dataset.events + "?after=" + encodeURIComponent(transcript.dataset.after));
  events.addEventListener("entry", (event) => { notice.textContent = ""; show(event.data); });
  events.addEventListener("error", () => { notice.textContent = notice.dataset.lost; });

  // Enter sends, Shift+Enter starts a new line.
  composer.querySelector("textarea")?.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-chat")) return;
    event.preventDefault();
    const data = new FormData(form, event.submitter);
    data.set("nonce", nonce());
    const buttons = form.querySelectorAll("button");
    buttons.forEach((button) => { button.disabled = true; });
    try {
      const response = await fetch(form.action, { method: "POST", body: data, headers: { Accept: "application/json" } });
      if (response.ok) {
        notice.textContent = "";
        if (form === composer) form.reset();
      } else {
        notice.textContent = (await response.text()) || notice.dataset.failed;
      }
    } catch {
      notice.textContent = notice.dataset.failed;
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
      if (form === composer) composer.querySelector("textarea")?.focus();
    }
  });
})();

// govai console: keyboard shortcuts on elements marked data-key (a approve, e edit, r reject
// reason, c claim). Buttons are clicked, fields focused; nothing happens while typing in a
// field (Esc leaves it). The pages work without this script.
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (ev.key === "Escape" && typing) { t.blur(); return; }
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var el = document.querySelector('[data-key="' + ev.key + '"]');
    if (!el) { return; }
    ev.preventDefault();
    if (el.tagName === "BUTTON") { el.click(); } else { el.focus(); }
  });
})();

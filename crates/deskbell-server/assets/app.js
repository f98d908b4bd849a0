// deskbell's own script: keyboard shortcuts, one submit per form, upload limits checked before
// anything is sent. Everything works without it; it only saves time. No inline scripts: the
// pages' Content-Security-Policy allows scripts from our own files only.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    const tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // ---------------------------------------------------------------- shortcuts
  // An element with data-shortcut="r" is focused (a field) or clicked (a link or button)
  // when the key is pressed outside a field. j / k move through a list's rows, Enter opens.
  function rows() {
    return Array.from(document.querySelectorAll("[data-row-link]"));
  }
  function select(delta) {
    const all = rows();
    if (all.length === 0) return;
    let i = all.findIndex(function (r) { return r.classList.contains("selected"); });
    if (i >= 0) all[i].classList.remove("selected");
    i = Math.max(0, Math.min(all.length - 1, i + delta));
    all[i].classList.add("selected");
    all[i].scrollIntoView({ block: "nearest" });
    const link = all[i].querySelector("a");
    if (link) link.focus({ preventScroll: true });
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape" && typing(document.activeElement)) {
      document.activeElement.blur();
      return;
    }
    if (typing(e.target)) return;
    if (e.key === "?") {
      const d = document.getElementById("shortcuts");
      if (d && d.showModal) { d.showModal(); e.preventDefault(); }
      return;
    }
    if (e.key === "j") { select(1); e.preventDefault(); return; }
    if (e.key === "k") { select(-1); e.preventDefault(); return; }
    const target = document.querySelector('[data-shortcut="' + CSS.escape(e.key) + '"]');
    if (!target) return;
    e.preventDefault();
    if (typing(target)) {
      target.focus();
      if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
    } else {
      target.click();
      // A choice (reply / note / call) then puts the cursor where the text goes.
      const next = target.dataset.thenFocus && document.getElementById(target.dataset.thenFocus);
      if (next) { next.focus(); next.scrollIntoView({ block: "center" }); }
    }
  });

  // The knowledge-base panel of a ticket: "insert link" puts the article's title and
  // address into the reply at the cursor (htmx records the use on the server).
  document.addEventListener("click", function (e) {
    const b = e.target.closest("[data-kb-insert]");
    const body = document.getElementById("body");
    if (!b || !body) return;
    const text = b.dataset.kbInsert;
    const at = body.selectionStart || body.value.length;
    const before = body.value.slice(0, at);
    const sep = before && !before.endsWith("\n") ? "\n" : "";
    body.value = before + sep + text + "\n" + body.value.slice(at);
    body.focus();
  });

  document.addEventListener("click", function (e) {
    const closer = e.target.closest("[data-close-dialog]");
    if (closer) {
      const d = closer.closest("dialog");
      if (d) d.close();
    }
  });

  // ---------------------------------------------------------------- forms
  // A second click on "submit" while the first is on its way sends nothing (the server also
  // refuses a repeated form token, so a double submit never makes two tickets).
  document.addEventListener("submit", function (e) {
    const form = e.target;
    const input = form.querySelector("input[type=file][data-max-bytes]");
    if (input && input.files) {
      const max = Number(input.dataset.maxBytes);
      const tooBig = Array.from(input.files).filter(function (f) { return f.size > max; });
      const out = document.getElementById(input.id + "-error");
      if (tooBig.length > 0) {
        e.preventDefault();
        if (out) {
          out.textContent = (input.dataset.tooLarge || "Too large") + " " + tooBig.map(function (f) { return f.name; }).join(", ");
          out.hidden = false;
        }
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      if (out) out.hidden = true;
    }
    if (form.dataset.submitted === "1") {
      e.preventDefault();
      return;
    }
    // A step that cannot be undone (a merge) asks first.
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    // After the browser has read the form: a disabled button is left out of what is sent, so
    // disabling the one pressed right away would drop its name and value (yes / no,
    // "this solved my problem").
    setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // htmx forms stay usable after their request.
  document.addEventListener("htmx:afterRequest", function (e) {
    const form = e.target.closest && e.target.closest("form");
    if (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    }
  });

  // Fields shown only for some choices (the local-IT checks for critical and fault).
  function toggles() {
    document.querySelectorAll("[data-show-when]").forEach(function (block) {
      const spec = block.dataset.showWhen.split("=");
      const field = document.querySelector('[name="' + spec[0] + '"]:checked, select[name="' + spec[0] + '"]');
      const values = spec[1].split(",");
      const on = field ? values.indexOf(field.value) >= 0 : false;
      block.hidden = !on;
      block.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = !on; });
    });
  }
  document.addEventListener("change", toggles);
  document.addEventListener("DOMContentLoaded", toggles);
  document.addEventListener("htmx:afterSwap", toggles);
})();

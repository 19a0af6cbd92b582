// Accredit: progressive enhancement only. Every page works without this
// file; with it, uploads show their progress and are checked before they
// start, and an assessment in progress is kept as a draft in this browser.
(function () {
  "use strict";

  // Move focus to the error summary of a rejected form, so that screen
  // reader users hear what went wrong first.
  function focusErrors(root) {
    var summary = (root || document).querySelector(".error-summary[data-focus]");
    if (summary) {
      summary.focus();
    }
  }

  // ---- Uploads: checked before they start, with progress. ----

  function setFileError(form, message) {
    var box = form.querySelector("#f-file-error");
    var input = form.querySelector("#f-file");
    if (!box || !input) {
      return;
    }
    var text = box.querySelector("[data-error-text]");
    if (message) {
      text.textContent = message;
      box.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "f-file-hint f-file-error");
      box.parentNode.classList.add("field-invalid");
    } else {
      text.textContent = "";
      box.hidden = true;
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", "f-file-hint");
      box.parentNode.classList.remove("field-invalid");
    }
  }

  function checkFile(form) {
    var input = form.querySelector("#f-file");
    if (!input || !input.files || input.files.length === 0) {
      return true; // the server says what is missing
    }
    var file = input.files[0];
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    if (max > 0 && file.size > max) {
      setFileError(form, form.getAttribute("data-msg-too-large"));
      input.focus();
      return false;
    }
    var accept = (input.getAttribute("accept") || "").split(",");
    var name = file.name.toLowerCase();
    var ok = accept.length === 0 || accept.some(function (ext) {
      ext = ext.trim();
      return ext !== "" && name.slice(-ext.length) === ext;
    });
    if (!ok) {
      setFileError(form, form.getAttribute("data-msg-type"));
      input.focus();
      return false;
    }
    setFileError(form, "");
    return true;
  }

  // replaceMain puts the main content of an answer (a page re-rendered with
  // its errors) in place of the current one.
  function replaceMain(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var main = doc.querySelector("main");
    if (!main) {
      return false;
    }
    document.querySelector("main").replaceWith(document.adoptNode(main));
    if (doc.title) {
      document.title = doc.title;
    }
    enhance(document.querySelector("main"));
    focusErrors();
    return true;
  }

  function enhanceUpload(form) {
    var input = form.querySelector("#f-file");
    if (input) {
      input.addEventListener("change", function () { checkFile(form); });
    }
    form.addEventListener("submit", function (ev) {
      if (!checkFile(form)) {
        ev.preventDefault();
        return;
      }
      if (!window.FormData || !window.XMLHttpRequest) {
        return; // the plain form post
      }
      ev.preventDefault();
      var box = form.querySelector("[data-progress]");
      var bar = form.querySelector("progress");
      var label = form.querySelector("[data-progress-text]");
      var button = form.querySelector("button[type=submit]");
      box.hidden = false;
      button.disabled = true;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var pct = Math.round(e.loaded / e.total * 100);
          bar.value = pct;
          label.textContent = pct + "%";
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400) {
          window.location.assign(xhr.responseURL || form.action);
          return;
        }
        if (!replaceMain(xhr.responseText)) {
          box.hidden = true;
          button.disabled = false;
          setFileError(form, form.getAttribute("data-msg-failed"));
        }
      });
      xhr.addEventListener("error", function () {
        box.hidden = true;
        button.disabled = false;
        setFileError(form, form.getAttribute("data-msg-failed"));
      });
      xhr.send(new FormData(form));
    });
  }

  // ---- Evidence picker: citing an indicator marks its category. ----

  function enhancePicker(root) {
    root.querySelectorAll("input[data-category]").forEach(function (box) {
      box.addEventListener("change", function () {
        if (box.checked) {
          var cat = document.getElementById("f-cat-" + box.getAttribute("data-category"));
          if (cat) {
            cat.checked = true;
          }
        }
      });
    });
  }

  // ---- Assessment drafts, kept in this browser (localStorage). ----

  function storage() {
    try {
      var s = window.localStorage;
      s.setItem("accredit-probe", "1");
      s.removeItem("accredit-probe");
      return s;
    } catch (e) {
      return null;
    }
  }

  function collect(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf" || el.name === "idem" || el.type === "file") {
        return;
      }
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) {
          (data[el.name] = data[el.name] || []).push(el.value);
        }
      } else if (el.tagName !== "BUTTON") {
        data[el.name] = [el.value];
      }
    });
    return data;
  }

  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data) || el.name === "csrf" || el.name === "idem") {
        return;
      }
      var vals = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = vals.indexOf(el.value) >= 0;
      } else if (el.tagName !== "BUTTON") {
        el.value = vals[0];
      }
    });
  }

  // Logging out takes the drafts with it (a shared computer), and stops
  // a page being left from saving one again.
  var loggingOut = false;
  function forgetDrafts() {
    loggingOut = true;
    var store = storage();
    if (!store) {
      return;
    }
    for (var i = store.length - 1; i >= 0; i--) {
      var k = store.key(i);
      if (k && k.indexOf("accredit-draft:") === 0) {
        store.removeItem(k);
      }
    }
  }

  function time(d) {
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function enhanceDraft(form) {
    var store = storage();
    if (!store) {
      return;
    }
    var key = "accredit-draft:" + form.getAttribute("data-draft");
    var status = form.querySelector("[data-draft-status]");
    var discard = form.querySelector("[data-draft-clear]");
    var saved = store.getItem(key);
    if (saved && form.hasAttribute("data-draft-restore")) {
      try {
        var draft = JSON.parse(saved);
        restore(form, draft.fields || {});
        status.textContent = form.getAttribute("data-msg-restored").replace("%s", time(new Date(draft.at)));
        discard.hidden = false;
      } catch (e) {
        store.removeItem(key);
      }
    }
    var timer = null;
    function save() {
      timer = null;
      // A timer that fires after the logout form went (a busy machine
      // runs it before the next page replaces this one) saves nothing.
      if (loggingOut) {
        return;
      }
      var now = new Date();
      store.setItem(key, JSON.stringify({ at: now.getTime(), fields: collect(form) }));
      status.textContent = form.getAttribute("data-msg-saved").replace("%s", time(now));
      discard.hidden = false;
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(save, 400);
    });
    form.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(save, 100);
    });
    // Leaving the page saves at once what the timer has not saved yet.
    var submitting = false;
    window.addEventListener("pagehide", function () {
      if (timer !== null && !submitting && !loggingOut) {
        clearTimeout(timer);
        save();
      }
    });
    discard.addEventListener("click", function () {
      clearTimeout(timer);
      store.removeItem(key);
      form.reset();
      status.textContent = "";
      discard.hidden = true;
    });
    // Submitted: the server keeps what was typed if it rejects the form,
    // and the assessment is stored when it accepts it.
    form.addEventListener("submit", function () {
      submitting = true;
      clearTimeout(timer);
      store.removeItem(key);
    });
  }

  function enhance(root) {
    root.querySelectorAll("form[data-upload]").forEach(enhanceUpload);
    root.querySelectorAll("form[data-draft]").forEach(enhanceDraft);
    root.querySelectorAll("form[data-logout]").forEach(function (form) {
      form.addEventListener("submit", forgetDrafts);
    });
    enhancePicker(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    focusErrors();
  });
})();

// Accredit: progressive enhancement only. Every page works without this
// file; with it, uploads show their progress and are checked before they
// start, an assessment in progress is kept as a draft in this browser, and
// a form sent after the session ended comes back once logged in again.
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

  // keysOf is a copy of the keys store holds. A walk that removes some
  // must walk a copy: Chromium reorders the keys' indexes on a removal, so
  // a walk down store.key(i) skips some of those it would keep or remove.
  function keysOf(store) {
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      keys.push(store.key(i));
    }
    return keys;
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
    keysOf(store).forEach(function (k) {
      if (k.indexOf("accredit-draft:") === 0) {
        store.removeItem(k);
      }
    });
  }

  // A draft is saved again on every change. One not saved for a week
  // goes: long enough for an assessor whose session ended (it lives 12
  // hours at most, accounts.SessionTTL) to log in again after a weekend
  // and find their notes; not so long that notes left on a computer
  // nobody logs in to again stay there for good.
  var DRAFT_FOR = 7 * 24 * 60 * 60 * 1000;

  // pruneDrafts, on a page of a logged-in user, removes every draft that
  // is not theirs (another person's on a shared computer, kept there when
  // their session ended without a logout) or was last saved more than
  // DRAFT_FOR ago. A
  // page without a user (the login page) removes nothing, so the assessor
  // whose session expired finds their draft after logging in again.
  function pruneDrafts() {
    var who = document.body.getAttribute("data-user");
    var store = who ? storage() : null;
    if (!store) {
      return;
    }
    keysOf(store).forEach(function (k) {
      if (k.indexOf("accredit-draft:") !== 0) {
        return;
      }
      // The key ends with its writer's user id: "accredit-draft:" +
      // data-draft, which is "assessment:<case>:<user>" (assessor.go).
      var mine = k.slice(k.lastIndexOf(":") + 1) === who;
      var at = NaN;
      try {
        at = JSON.parse(store.getItem(k)).at;
      } catch (e) {
        // unreadable: it goes
      }
      if (!mine || !(typeof at === "number" && Date.now() - at < DRAFT_FOR)) {
        store.removeItem(k);
      }
    });
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

  // ---- Forms sent after the session ended: kept for this tab. ----
  //
  // A form sent without a session goes to the login page (guard.go), and
  // what was typed in it would be lost. So each form of a logged-in page
  // is kept as it goes, in sessionStorage (this tab only, gone when it
  // closes), under its action's path, for a short time. Sent without a
  // session, it is marked lost on the login page; back on its page with
  // the form as it was first shown, it is put back. The form's success
  // page (?ok=) forgets it, and so does logging out.

  var KEPT = "accredit-kept:";
  var KEPT_SENT = "accredit-kept-sent"; // the key of the form sent last
  var KEPT_FOR = 30 * 60 * 1000;

  function session() {
    try {
      var s = window.sessionStorage;
      s.setItem("accredit-probe", "1");
      s.removeItem("accredit-probe");
      return s;
    } catch (e) {
      return null;
    }
  }

  function keptKey(form) {
    // The attribute: form.action is a field of that name, if there is one.
    return KEPT + new URL(form.getAttribute("action") || "", location.href).pathname;
  }

  // keepable: a field worth keeping (never a password, a file, the CSRF
  // token or the idempotency key, which the page sets afresh).
  function keepable(el) {
    return el.name && el.name !== "csrf" && el.name !== "idem" && el.type !== "password" &&
      el.type !== "file" && el.tagName !== "BUTTON" && el.type !== "submit" && el.type !== "reset" &&
      el.type !== "button" && el.type !== "image";
  }

  // fieldValues is what the form holds, or (shown) what the page showed
  // in it, by field name; with hidden fields only when all.
  function fieldValues(form, shown, all) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!keepable(el) || (el.type === "hidden" && !all)) {
        return;
      }
      var vals = data[el.name] = data[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        if (shown ? el.defaultChecked : el.checked) {
          vals.push(el.value);
        }
      } else if (el.tagName === "SELECT") {
        var any = false;
        Array.prototype.forEach.call(el.options, function (o) {
          if (shown ? o.defaultSelected : o.selected) {
            vals.push(o.value);
            any = true;
          }
        });
        if (!any && shown && !el.multiple && el.options.length > 0) {
          vals.push(el.options[0].value); // what a browser shows then
        }
      } else {
        vals.push(shown ? el.defaultValue : el.value);
      }
    });
    return data;
  }

  function sameValues(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function putBack(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!keepable(el) || !(el.name in data)) {
        return;
      }
      var vals = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = vals.indexOf(el.value) >= 0;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = vals.indexOf(o.value) >= 0;
        });
      } else {
        el.value = vals[0] || "";
      }
    });
  }

  // thisPage is the page the form is on, as the server names it (a page
  // answering a form is named by the page above it), without its ?ok=.
  function thisPage() {
    var u = new URL(document.body.getAttribute("data-page") || location.pathname, location.href);
    u.searchParams.delete("ok");
    return u.pathname + u.search;
  }

  function forgetKept() {
    var store = session();
    if (!store) {
      return;
    }
    keysOf(store).forEach(function (k) {
      if (k.indexOf(KEPT) === 0 || k === KEPT_SENT) {
        store.removeItem(k);
      }
    });
  }

  // readKept is the kept forms still fresh, by key; stale ones go.
  function readKept(store) {
    var kept = {};
    keysOf(store).forEach(function (k) {
      if (k.indexOf(KEPT) !== 0) {
        return;
      }
      try {
        var e = JSON.parse(store.getItem(k));
        if (Date.now() - e.at < KEPT_FOR) {
          kept[k] = e;
          return;
        }
      } catch (err) {
        // unreadable: forgotten below
      }
      store.removeItem(k);
    });
    return kept;
  }

  function enhanceKept(root) {
    var store = session();
    if (!store) {
      return;
    }
    var kept = readKept(store);
    // The login page after a form went without a session: what was typed
    // in it is marked as lost, to be put back (and only then: not when a
    // person goes back from a confirmation, say), the page says it is
    // kept, and the login leads back to that form's own page.
    var notice = root.querySelector("[data-kept-notice]");
    if (notice) {
      var sent = store.getItem(KEPT_SENT);
      var lost = sent && kept[sent];
      if (lost) {
        lost.lost = true;
        store.setItem(sent, JSON.stringify(lost));
        notice.hidden = false;
        var next = root.querySelector('form[action="/login"] input[name="next"]');
        if (next && lost.page) {
          next.value = lost.page;
        }
      }
      return;
    }
    var msg = document.body.getAttribute("data-msg-kept");
    var who = document.body.getAttribute("data-user");
    if (msg === null || !who) {
      return; // not logged in: nothing is kept or put back
    }
    // Another person logged in in this tab (a shared computer) is never
    // shown what the one before typed: it goes.
    Object.keys(kept).forEach(function (k) {
      if (kept[k].user !== who) {
        store.removeItem(k);
        delete kept[k];
        if (store.getItem(KEPT_SENT) === k) {
          store.removeItem(KEPT_SENT);
        }
      }
    });
    if (new URLSearchParams(location.search).has("ok")) {
      var done = store.getItem(KEPT_SENT);
      if (done) {
        store.removeItem(done); // it went through
        delete kept[done];
        store.removeItem(KEPT_SENT);
      }
    }
    root.querySelectorAll("form").forEach(function (form) {
      if (form.hasAttribute("data-logout") || (form.getAttribute("method") || "").toLowerCase() !== "post") {
        return;
      }
      var key = keptKey(form);
      var e = kept[key];
      var shown = fieldValues(form, true, false);
      if (e && Object.keys(shown).length > 0) {
        var typed = {};
        Object.keys(shown).forEach(function (n) {
          typed[n] = e.fields[n] || [];
        });
        if (sameValues(shown, typed)) {
          store.removeItem(key); // the page holds it again (a refusal shows what was sent)
        } else if (e.lost && sameValues(shown, e.shown)) {
          // The form is as it was before it was typed in: put it back,
          // with its hidden fields (a "version" makes the server refuse
          // the save over a change made since, rather than undo it).
          putBack(form, e.fields);
          var status = document.createElement("p");
          status.className = "notice";
          status.setAttribute("role", "status");
          status.setAttribute("data-kept-status", "");
          status.textContent = msg.replace("%s", time(new Date(e.at)));
          form.insertBefore(status, form.firstChild);
        }
      }
      form.addEventListener("submit", function () {
        if (loggingOut) {
          return;
        }
        var now = fieldValues(form, false, false);
        var before = fieldValues(form, true, false);
        store.setItem(KEPT_SENT, key);
        if (!sameValues(now, before)) {
          store.setItem(key, JSON.stringify({ at: Date.now(), user: who, page: thisPage(),
            fields: fieldValues(form, false, true), shown: before }));
        }
      });
    });
  }

  function enhance(root) {
    root.querySelectorAll("form[data-upload]").forEach(enhanceUpload);
    root.querySelectorAll("form[data-draft]").forEach(enhanceDraft);
    root.querySelectorAll("form[data-logout]").forEach(function (form) {
      form.addEventListener("submit", forgetDrafts);
      form.addEventListener("submit", forgetKept);
    });
    enhancePicker(root);
    enhanceKept(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    pruneDrafts();
    enhance(document);
    focusErrors();
  });
})();

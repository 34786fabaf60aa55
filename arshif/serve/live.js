// Arshif preview: live reload, stylesheet swap and the error overlay. Added by `serve` only.
(function () {
  "use strict";
  var script = document.currentScript;
  var version = Number(script.getAttribute("data-version"));
  var host = null;
  var css = ":host{all:initial;position:fixed;inset:0;z-index:2147483647;display:flex;justify-content:center;"
    + "align-items:flex-start;overflow:auto;background:rgba(15,15,15,.55);font:16px/1.6 system-ui,sans-serif}"
    + ".box{box-sizing:border-box;max-width:52rem;width:calc(100% - 2rem);margin:3rem 1rem;padding:1.25rem 1.5rem;"
    + "background:#fff;color:#1b1b1b;border-block-start:6px solid #c62828;border-radius:6px;"
    + "box-shadow:0 10px 40px rgba(0,0,0,.35)}"
    + "h2{margin:0 0 .25rem;font-size:1.25rem;color:#b71c1c}p{margin:.25rem 0;color:#444}"
    + ".english{margin-block-end:1rem}"
    + "ol{margin:0;padding-inline-start:1.25rem}li{margin:.75rem 0}"
    + ".where{font-family:ui-monospace,monospace;direction:ltr;unicode-bidi:isolate;font-weight:bold}"
    + ".hint{color:#555}button{font:inherit;margin-block-start:1rem;cursor:pointer}";

  function add(parent, tag, text, cls) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (cls) { node.className = cls; }
    node.setAttribute("dir", "auto");
    parent.appendChild(node);
    return node;
  }

  function hide() {
    if (host) { host.remove(); host = null; }
  }

  function show(problems) {
    hide();
    host = document.createElement("div");
    host.id = "arshif-overlay";
    host.setAttribute("role", "alert");
    host.setAttribute("dir", "rtl");
    var root = host.attachShadow({mode: "open"});
    add(root, "style", css);
    var box = add(root, "div", "", "box");
    add(box, "h2", "تعذّر بناء الموقع");
    add(box, "p", "هذه آخر نسخة سليمة من الصفحة؛ أصلح الملف واحفظه فتتحدّث وحدها.");
    add(box, "p", "The site could not be built. This is the last good version of the page: "
      + "fix the file and save, and it updates itself.", "english");
    var list = add(box, "ol");
    problems.forEach(function (problem) {
      var item = add(list, "li");
      add(item, "div", problem.path + (problem.line ? ":" + problem.line : ""), "where");
      add(item, "div", problem.message, "message");
      if (problem.hint) { add(item, "div", "→ " + problem.hint, "hint"); }
    });
    add(box, "button", "إخفاء · Dismiss").addEventListener("click", hide);
    document.documentElement.appendChild(host);
  }

  // Put the page's new stylesheets in place of the old ones: the new link loads beside the old
  // one, which goes once it has, so the page never shows unstyled. Hashed names tell which
  // changed; if none did (names without hashes), every stylesheet is fetched again.
  function swapStylesheets() {
    fetch(location.href, {cache: "no-store"}).then(function (response) {
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelectorAll('link[rel="stylesheet"]');
      var current = document.querySelectorAll('link[rel="stylesheet"]');
      if (fresh.length !== current.length) { location.reload(); return; }
      var hrefs = Array.prototype.map.call(fresh, function (link) { return link.getAttribute("href"); });
      var same = hrefs.every(function (href, i) { return current[i].getAttribute("href") === href; });
      current.forEach(function (link, i) {
        if (!same && link.getAttribute("href") === hrefs[i]) { return; }
        var next = link.cloneNode();
        next.setAttribute("href", same ? hrefs[i] + (hrefs[i].indexOf("?") < 0 ? "?" : "&") + "v=" + version
                                       : hrefs[i]);
        next.onload = function () { link.remove(); };
        next.onerror = function () { location.reload(); };
        link.after(next);
      });
    }).catch(function () { location.reload(); });
  }

  var events = new EventSource(script.getAttribute("data-events"));
  events.addEventListener("state", function (message) {
    var state = JSON.parse(message.data);
    if (state.version !== version) {
      if (version >= state.css_from) {
        version = state.version;
        swapStylesheets();
      } else {
        events.close();
        location.reload();
        return;
      }
    }
    if (state.problems.length) { show(state.problems); } else { hide(); }
  });
})();

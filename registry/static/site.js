/* The registry's page behaviour, phone first, loaded in <head> from a static file (no inline script or
   handler: the pages run under a Content-Security-Policy). Every control is a tap or a click, never a hover
   (WeChat's in-app browser has none). Words come from the page (data-label-* on <body>), in its language. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");  // the collapsible menu and switches only when this runs

  function label(name) { return document.body.getAttribute("data-label-" + name) || name; }

  function button(id, text) {
    var b = document.createElement("button");
    b.type = "button";
    if (id) { b.id = id; }
    b.textContent = text;
    return b;
  }

  // The header's menu on a phone: the button shows and hides the navigation.
  function menu() {
    var toggle = document.getElementById("menu-toggle");
    var header = document.querySelector("header.site");
    if (!toggle || !header) { return; }
    toggle.addEventListener("click", function () {
      var open = header.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Search results on a phone: a list/map switch at the top of the results, and the form's extra
  // conditions folded behind one button so that the results start on the first screen.
  function searchViews() {
    var layout = document.querySelector("main .layout");
    var panel = layout && layout.querySelector(".map-panel");
    if (!panel) { return; }
    var bar = document.createElement("div");
    bar.className = "view-switch";
    bar.setAttribute("role", "group");
    var list = button("view-list", label("list"));
    var map = button("view-map", label("map"));
    bar.appendChild(list);
    bar.appendChild(map);
    layout.parentNode.insertBefore(bar, layout);
    function show(which) {
      layout.classList.toggle("show-list", which === "list");
      layout.classList.toggle("show-map", which === "map");
      list.setAttribute("aria-pressed", which === "list" ? "true" : "false");
      map.setAttribute("aria-pressed", which === "map" ? "true" : "false");
      if (which === "map") { bar.scrollIntoView({block: "start"}); }
    }
    list.addEventListener("click", function () { show("list"); });
    map.addEventListener("click", function () { show("map"); });
    show("list");
  }

  function foldSearchForm() {
    var form = document.getElementById("search-form");
    if (!form || !document.querySelector("main .layout")) { return; }
    var anyExtra = Array.prototype.some.call(form.querySelectorAll(".row:not(.main-row) input, .row:not(.main-row) select"),
      function (e) {
        if (e.type === "hidden") { return false; }
        if (e.type === "checkbox") { return e.checked; }
        return e.tagName === "SELECT" ? e.selectedIndex > 0 : !!e.value;
      });
    var more = button("search-more", label(anyExtra ? "fewer" : "more"));
    more.className = "search-more";
    more.setAttribute("aria-expanded", anyExtra ? "true" : "false");
    if (!anyExtra) { form.classList.add("folded"); }
    var main = form.querySelector(".main-row");
    main.parentNode.insertBefore(more, main.nextSibling);
    more.addEventListener("click", function () {
      var folded = form.classList.toggle("folded");
      more.setAttribute("aria-expanded", folded ? "false" : "true");
      more.textContent = label(folded ? "more" : "fewer");
    });
  }

  // Buttons that print the page (the audit report).
  function printButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    menu();
    searchViews();
    foldSearchForm();
    printButtons();
  });
})();

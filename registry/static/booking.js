/* The booking page: a finder over the grouped services, a month calendar of free capacity for the chosen
   service (from /facilities/<id>/book/availability), and the first error in view. A static file, no inline
   script or handler (CSP); words come from data-label-* attributes in the page's language. */
(function () {
  "use strict";

  function serviceFinder(select) {
    var input = document.getElementById("service-filter");
    var count = document.getElementById("service-filter-count");
    if (!input || !select) { return; }
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().replace(/[\s/.\-]+/g, "");
      var shown = 0;
      Array.prototype.forEach.call(select.querySelectorAll("option"), function (option) {
        var text = (option.textContent + " " + (option.parentNode.label || "")).toLowerCase().replace(/[\s/.\-]+/g, "");
        var match = !words || text.indexOf(words) >= 0 || option.selected;
        option.hidden = !match;
        if (match) { shown += 1; }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (count) { count.textContent = words ? shown + " / " + select.options.length : ""; }
      if (words && shown) {
        var first = select.querySelector("option:not([hidden])");
        if (first && (!select.selectedOptions.length || select.selectedOptions[0].hidden)) {
          select.value = first.value;
          select.dispatchEvent(new Event("change"));
        }
      }
    });
  }

  function calendar(box, select, dateInput) {
    if (!box || !select || !dateInput) { return; }
    var label = function (name) { return box.getAttribute("data-label-" + name) || name; };
    var weekdays = label("weekdays").split(",");
    var month = null;

    function shift(text, by) {
      var parts = text.split("-");
      var d = new Date(Date.UTC(+parts[0], +parts[1] - 1 + by, 1));
      return d.getUTCFullYear() + "-" + String(d.getUTCMonth() + 1).padStart(2, "0");
    }

    function render(data) {
      month = data.month;
      box.textContent = "";
      var head = document.createElement("div");
      head.className = "cal-head";
      var prev = document.createElement("button");
      prev.type = "button"; prev.className = "cal-prev"; prev.textContent = "‹"; prev.title = label("previous");
      prev.setAttribute("aria-label", label("previous"));
      var next = document.createElement("button");
      next.type = "button"; next.className = "cal-next"; next.textContent = "›"; next.title = label("next");
      next.setAttribute("aria-label", label("next"));
      var title = document.createElement("strong");
      title.textContent = data.month;
      prev.addEventListener("click", function () { load(shift(month, -1)); });
      next.addEventListener("click", function () { load(shift(month, 1)); });
      head.appendChild(prev); head.appendChild(title); head.appendChild(next);
      box.appendChild(head);
      var table = document.createElement("table");
      var caption = document.createElement("caption");
      caption.textContent = label("caption");
      table.appendChild(caption);
      var tr = document.createElement("tr");
      weekdays.forEach(function (w) { var th = document.createElement("th"); th.textContent = w; tr.appendChild(th); });
      var thead = document.createElement("thead"); thead.appendChild(tr); table.appendChild(thead);
      var body = document.createElement("tbody");
      var first = new Date(data.days[0].date + "T00:00:00Z").getUTCDay();  // 0 = Sunday
      var row = document.createElement("tr");
      for (var i = 0; i < (first + 6) % 7; i += 1) { row.appendChild(document.createElement("td")); }
      data.days.forEach(function (day) {
        if (row.children.length === 7) { body.appendChild(row); row = document.createElement("tr"); }
        var td = document.createElement("td");
        var b = document.createElement("button");
        b.type = "button";
        b.setAttribute("data-date", day.date);
        var n = document.createElement("span");
        n.textContent = String(+day.date.slice(8));
        var s = document.createElement("small");
        if (day.open) { s.textContent = day.free + " " + label("free"); }
        else if (day.capacity && day.free === 0) { s.textContent = label("full"); b.className = "full"; }
        else { s.textContent = "–"; }
        b.appendChild(n); b.appendChild(s);
        b.disabled = !day.open;
        b.setAttribute("aria-label", day.date + " " + (day.open ? day.free + " " + label("free") :
          (day.capacity && day.free === 0 ? label("full") : label("closed"))));
        b.setAttribute("aria-pressed", dateInput.value === day.date ? "true" : "false");
        b.addEventListener("click", function () {
          dateInput.value = day.date;
          Array.prototype.forEach.call(box.querySelectorAll("button[data-date]"), function (o) {
            o.setAttribute("aria-pressed", o === b ? "true" : "false");
          });
        });
        td.appendChild(b);
        row.appendChild(td);
      });
      while (row.children.length < 7) { row.appendChild(document.createElement("td")); }
      body.appendChild(row);
      table.appendChild(body);
      box.appendChild(table);
      box.hidden = false;
    }

    function load(wanted) {
      if (!select.value) { box.hidden = true; return; }
      var url = box.getAttribute("data-url") + "?capability=" + encodeURIComponent(select.value) +
        (wanted ? "&month=" + encodeURIComponent(wanted) : "");
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(render)
        .catch(function () {
          box.textContent = "";
          var p = document.createElement("p");
          p.className = "cal-error";
          p.textContent = label("error");
          box.appendChild(p);
          box.hidden = false;
        });
    }

    select.addEventListener("change", function () { load(dateInput.value ? dateInput.value.slice(0, 7) : null); });
    load(dateInput.value ? dateInput.value.slice(0, 7) : null);
  }

  function firstErrorInView() {
    var summary = document.getElementById("error-summary");
    var field = document.querySelector("#booking-form .field.has-errors input, #booking-form .field.has-errors select, " +
      "#booking-form .field.has-errors textarea");
    if (field) {
      field.scrollIntoView({block: "center"});
      field.focus({preventScroll: true});
    } else if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("capability");
    serviceFinder(select);
    calendar(document.getElementById("booking-calendar"), select, document.getElementById("service_date"));
    firstErrorInView();
  });
}());

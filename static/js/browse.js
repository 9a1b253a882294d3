// Progressive enhancement for the browse page; everything works without it.
(function () {
  "use strict";
  var form = document.querySelector("form.browse");
  if (!form) return;
  document.documentElement.classList.add("js");
  var KEY = "browse-focus";

  // A facet checkbox or the sort choice applies at once (the filters say so), and focus returns
  // to the same control after the page reloads, so keyboard users keep their place.
  function apply(control) {
    try {
      sessionStorage.setItem(KEY, control.id || control.name + "=" + control.value);
    } catch (e) { /* storage may be disabled: focus simply starts at the top */ }
    form.requestSubmit();
  }

  // The sort order picked with a pointer applies at once. From the keyboard the arrow keys
  // change a closed select's value (and fire "change") at every step, so there they only move
  // through the orders: Enter, or the Sort button then shown beside it, applies the one chosen.
  var sort = document.getElementById("sort");
  var sortButton = form.querySelector(".sort button");
  var sortKeyed = false;
  if (sort) {
    sort.addEventListener("keydown", function (event) {
      sortKeyed = true;
      if (event.key === "Enter") {
        event.preventDefault();
        apply(sort);
      }
    });
    sort.addEventListener("pointerdown", function () { sortKeyed = false; });
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target === sort && sortKeyed) {
      if (sortButton) sortButton.classList.remove("js-hide");
      return;
    }
    if (!target.matches('.facet input[type="checkbox"], #sort')) return;
    apply(target);
  });

  var refine = document.getElementById("filters");
  var remembered = null;
  try {
    remembered = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
  } catch (e) { /* ignore */ }
  if (remembered) {
    var control = document.getElementById(remembered);
    if (!control) {
      var parts = remembered.split("=");
      var name = parts.shift();
      var value = parts.join("=");
      form.querySelectorAll('.facet input[name="' + CSS.escape(name) + '"]').forEach(function (el) {
        if (el.value === value) control = el;
      });
    }
    if (control) {
      var more = control.closest("details.more");
      if (more) more.open = true;
      control.focus();
      return; // the reader is working in the filters: leave them open
    }
  }
  // On a phone the filters start folded so the results come first.
  if (refine && window.matchMedia("(max-width: 48rem)").matches) refine.open = false;
})();

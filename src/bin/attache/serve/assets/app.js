// attache's search page: keys and the date histogram. The page works without this file;
// it only adds shortcuts. No inline script, no eval, no network calls: the server's
// Content-Security-Policy forbids them, and navigation is plain links.
"use strict";

(function () {
  var hits = Array.prototype.slice.call(document.querySelectorAll("li.hit"));
  var current = -1;

  function isTyping(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
  }

  // j / k: the next or previous result becomes current (its title link is focused, so Enter
  // opens it).
  function move(by) {
    if (hits.length === 0) return false;
    if (current >= 0) hits[current].classList.remove("current");
    current = Math.max(0, Math.min(hits.length - 1, current + by));
    var hit = hits[current];
    hit.classList.add("current");
    var link = hit.querySelector("a.title");
    if (link) link.focus({ preventScroll: true });
    hit.scrollIntoView({ block: "nearest" });
    return true;
  }

  // n / p (and the Previous / Next links): the next or previous match of a report.
  var marks = Array.prototype.slice.call(document.querySelectorAll(".body mark"));
  var mark = -1;
  var position = document.getElementById("match-position");
  function jump(by) {
    if (marks.length === 0) return false;
    if (mark >= 0) marks[mark].classList.remove("current");
    mark = (mark + by + marks.length) % marks.length;
    var m = marks[mark];
    m.classList.add("current");
    m.scrollIntoView({ block: "center" });
    if (position) position.textContent = "match " + (mark + 1) + " of " + marks.length;
    if (history.replaceState) history.replaceState(history.state, "", "#" + m.id);
    return true;
  }
  var next = document.getElementById("next-match");
  var prev = document.getElementById("prev-match");
  if (next) next.addEventListener("click", function (e) { if (jump(1)) e.preventDefault(); });
  if (prev) prev.addEventListener("click", function (e) { if (jump(-1)) e.preventDefault(); });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var q = document.getElementById("q");
    if (isTyping(e.target)) {
      if (e.key === "Escape" && q) q.blur();
      return;
    }
    var handled = false;
    if (e.key === "/" && q) {
      q.focus();
      q.select();
      handled = true;
    } else if (e.key === "j") {
      handled = move(1);
    } else if (e.key === "k") {
      handled = move(-1);
    } else if (e.key === "n") {
      handled = jump(1);
    } else if (e.key === "p" || e.key === "N") {
      handled = jump(-1);
    }
    if (handled) e.preventDefault();
  });

  // The date histogram: each bar is a link to its month; dragging across bars narrows the
  // view to the span they cover.
  var svg = document.querySelector(".histogram svg");
  if (svg) {
    var start = null;
    var selected = [];
    var dragged = false;
    var bucketAt = function (e) {
      var el = document.elementFromPoint(e.clientX, e.clientY);
      return el && el.closest ? el.closest("a.bucket") : null;
    };
    var buckets = Array.prototype.slice.call(svg.querySelectorAll("a.bucket"));
    var mark = function (a, b) {
      var i = buckets.indexOf(a), j = buckets.indexOf(b);
      var lo = Math.min(i, j), hi = Math.max(i, j);
      selected = buckets.slice(lo, hi + 1);
      buckets.forEach(function (x, k) { x.classList.toggle("sel", k >= lo && k <= hi); });
    };
    svg.addEventListener("pointerdown", function (e) {
      var b = bucketAt(e);
      if (!b || e.button !== 0) return;
      start = b;
      dragged = false;
      mark(b, b);
    });
    svg.addEventListener("pointermove", function (e) {
      if (!start) return;
      var b = bucketAt(e);
      if (b && b !== start) dragged = true;
      if (b) mark(start, b);
    });
    var finish = function () {
      if (!start) return;
      var first = selected[0], last = selected[selected.length - 1];
      start = null;
      if (!dragged || !first) {
        buckets.forEach(function (x) { x.classList.remove("sel"); });
        return; // a plain click: the bar's own link
      }
      var url = new URL(window.location.href);
      url.searchParams.set("from", first.getAttribute("data-from"));
      url.searchParams.set("to", last.getAttribute("data-to"));
      url.searchParams.delete("page");
      window.location.assign(url.toString());
    };
    // Links are draggable by default; a native drag would swallow the pointer events.
    svg.addEventListener("dragstart", function (e) { e.preventDefault(); });
    svg.addEventListener("pointerup", finish);
    svg.addEventListener("pointerleave", function () { if (start && dragged) finish(); });
    // A drag ends on some bar, whose link must not win over the span.
    svg.addEventListener("click", function (e) { if (dragged) { e.preventDefault(); dragged = false; } });
  }
})();

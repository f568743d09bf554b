/* Advanced Therapies: small fixes and additions to the book theme (added by atmp_book.py). */
(function () {
  "use strict";

  /* 1. Sidebar toggles on phones and tablets (pydata-sphinx-theme#2451).
   * pydata-sphinx-theme 0.17 and sphinx-book-theme each render a `.primary-toggle` (and a
   * `.secondary-toggle`); both themes attach their handlers to the FIRST one in the document,
   * the pydata header button, while the one a reader sees and taps is the book theme's button
   * in the article header. Forward a click on any later toggle to the first one, so the
   * themes' own code runs: the drawer opens below 992 px, the sidebar collapses above. */
  function forwardToggles(selector) {
    const toggles = document.querySelectorAll(selector);
    const first = toggles[0];
    toggles.forEach((btn, i) => {
      if (i === 0) return;
      btn.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        first.click();
      });
    });
  }

  /* 2. Figures enlarge on click: each figure's image is a link to the full-resolution PNG
   * (works without JavaScript); with JavaScript the link opens it in a full-screen dialog,
   * closed by a click, the close button or Escape. */
  function enlargeableFigures() {
    const images = document.querySelectorAll("article figure img, main figure img");
    if (!images.length) return;
    let dialog = null;
    let big = null;
    function lightbox() {  /* made on first use: no image without alt text before that */
      if (dialog) return dialog;
      dialog = document.createElement("dialog");
      dialog.className = "atmp-lightbox";
      dialog.setAttribute("aria-label", "Enlarged figure");
      const close = document.createElement("button");
      close.type = "button";
      close.className = "atmp-lightbox-close";
      close.setAttribute("aria-label", "Close the enlarged figure");
      close.textContent = "×";
      big = document.createElement("img");
      dialog.append(close, big);
      document.body.appendChild(dialog);
      dialog.addEventListener("click", () => dialog.close());
      dialog.addEventListener("keydown", (event) => {
        if (event.key === "Escape") { event.preventDefault(); dialog.close(); }
      });
      return dialog;
    }
    images.forEach((img) => {
      /* Figures are rendered at twice their size in CSS px (atmp.plots.PUBLISH_DPI): show them
       * at half their pixel width (never wider than the column), so every figure's text has the
       * same size and stays sharp on high-density screens. */
      const halve = () => { if (img.naturalWidth) img.style.width = (img.naturalWidth / 2) + "px"; };
      if (img.complete) halve(); else img.addEventListener("load", halve);
      if (img.closest("a")) return;
      const link = document.createElement("a");
      link.href = img.currentSrc || img.src;
      link.className = "atmp-enlarge";
      link.title = "Enlarge the figure";
      img.parentNode.insertBefore(link, img);
      link.appendChild(img);
      link.addEventListener("click", (event) => {
        event.preventDefault();
        lightbox();
        big.alt = img.alt;
        big.src = link.href;
        dialog.showModal();
      });
    });
  }

  /* 3. Wide tables scroll sideways: fade the edge that hides columns, and say so once. */
  function scrollHints() {
    document.querySelectorAll(".atmp-table-wrap").forEach((wrap) => {
      const hint = document.createElement("p");
      hint.className = "atmp-scroll-hint";
      hint.textContent = "Scroll the table sideways to see every column.";
      hint.hidden = true;
      wrap.after(hint);
      const update = () => {
        const more = wrap.scrollWidth - wrap.clientWidth > 1;
        wrap.classList.toggle("atmp-more-left", more && wrap.scrollLeft > 1);
        wrap.classList.toggle("atmp-more-right",
          more && wrap.scrollLeft + wrap.clientWidth < wrap.scrollWidth - 1);
        hint.hidden = !more;
      };
      wrap.addEventListener("scroll", update, { passive: true });
      window.addEventListener("resize", update);
      update();
    });
  }

  function init() {
    scrollHints();
    forwardToggles(".primary-toggle");
    forwardToggles(".secondary-toggle");
    enlargeableFigures();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

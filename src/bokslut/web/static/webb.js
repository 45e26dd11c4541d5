// The only script: the figure picker's buttons put their expression where the cursor is,
// and the search box narrows the list. Without it the expressions can be copied by hand.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const text = document.getElementById("text");
  document.querySelectorAll("button.infoga").forEach((button) => {
    button.addEventListener("click", () => {
      if (!text) return;
      const snippet = button.dataset.infoga;
      const start = text.selectionStart ?? text.value.length;
      const end = text.selectionEnd ?? start;
      text.value = text.value.slice(0, start) + snippet + text.value.slice(end);
      text.focus();
      text.setSelectionRange(start + snippet.length, start + snippet.length);
    });
  });
  document.querySelectorAll("input[data-filtrera]").forEach((box) => {
    const table = document.getElementById(box.dataset.filtrera);
    box.addEventListener("input", () => {
      const q = box.value.trim().toLowerCase();
      table.querySelectorAll("tbody tr").forEach((row) => {
        row.hidden = q !== "" && !row.textContent.toLowerCase().includes(q);
      });
    });
  });
});

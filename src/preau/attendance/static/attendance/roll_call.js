// The roll call without JavaScript is a form of radio buttons. With it: the minutes field shows
// only for a late student (and takes the focus), rows are coloured, and a live summary counts
// (its words come translated from the page).
(() => {
  const form = document.querySelector(".roll-call");
  if (!form) return;
  const summary = form.querySelector("[data-summary]");
  const refresh = () => {
    let absent = 0;
    let late = 0;
    form.querySelectorAll("[data-row]").forEach((row) => {
      const checked = row.querySelector("input[type=radio]:checked");
      const state = checked ? checked.value : "present";
      row.classList.toggle("is-absent", state === "absent");
      row.classList.toggle("is-late", state === "late");
      const minutes = row.querySelector(".roll-call__minutes");
      if (minutes) minutes.hidden = state !== "late";
      if (state === "absent") absent += 1;
      if (state === "late") late += 1;
    });
    if (summary) {
      const present = form.querySelectorAll("[data-row]").length - absent - late;
      const words = summary.dataset;
      summary.textContent = `${present} ${words.present} · ${absent} ${words.absent} · ${late} ${words.late}`;
    }
  };
  form.addEventListener("change", (event) => {
    refresh();
    if (event.target.value === "late") {
      const input = event.target.closest("[data-row]").querySelector(".roll-call__minutes input");
      if (input) input.focus();
    }
  });
  refresh();
})();

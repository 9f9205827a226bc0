// The skills grid without JavaScript is a plain form posted whole. With it: arrows and Enter
// move between cells, a typed digit goes down to the next student, a pasted column fills the
// cells below, and every change is saved as typed (all or nothing; a cell someone else changed
// meanwhile comes back with its current value). Its words come translated from the page.
(() => {
  const form = document.querySelector(".skills-grid");
  if (!form) return;
  const status = form.querySelector(".skills-grid__status");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const words = form.dataset;
  const cells = Array.from(form.querySelectorAll(".skills-grid__cell"));
  const at = (row, col) => form.querySelector(`.skills-grid__cell[data-row="${row}"][data-col="${col}"]`);
  const levels = { 1: 1, 2: 2, 3: 3, 4: 4, I: 1, F: 2, S: 3, T: 4, TB: 4 };
  const pending = new Set();
  // Cells of a refused save: sent again with the next change, until the grid is right.
  const refused = new Set();
  let timer = null;
  let inFlight = false;

  const colour = (input) => {
    const level = levels[input.value.trim().toUpperCase()];
    for (let n = 1; n <= 4; n += 1) input.classList.toggle(`mastery--${n}`, level === n);
  };
  const say = (text) => { if (status) status.textContent = text; };
  const version = (input) => form.querySelector(`input[name="v-${input.name.slice(2)}"]`);
  const move = (input, dRow, dCol) => {
    const next = at(Number(input.dataset.row) + dRow, Number(input.dataset.col) + dCol);
    if (next) { next.focus(); next.select(); }
  };

  const save = async () => {
    if (inFlight || pending.size === 0) return;
    inFlight = true;
    const sent = Array.from(new Set([...refused, ...pending]));
    pending.clear();
    refused.clear();
    const body = new FormData();
    sent.forEach((input) => {
      body.append(input.name, input.value);
      body.append(version(input).name, version(input).value);
      input.classList.add("is-saving");
    });
    say(words.saving);
    try {
      const response = await fetch(form.dataset.cellsUrl, {
        method: "POST", body, headers: { "X-CSRFToken": token }, credentials: "same-origin",
      });
      const answer = await response.json();
      Object.entries(answer.cells || {}).forEach(([key, cell]) => {
        const input = form.querySelector(`input[name="c-${key}"]`);
        if (!input) return;
        version(input).value = cell.version;
        if (!response.ok) input.value = cell.value;
        input.setAttribute("aria-invalid", "false");
        colour(input);
      });
      if (response.ok) {
        say(words.saved);
      } else {
        if (response.status === 400) {
          sent.forEach((input) => { refused.add(input); input.setAttribute("aria-invalid", "true"); });
        }
        say(`${words.failed} : ${answer.error}`);
      }
    } catch (error) {
      sent.forEach((input) => pending.add(input));
      say(words.failed);
    } finally {
      sent.forEach((input) => input.classList.remove("is-saving"));
      inFlight = false;
      if (pending.size) schedule();
    }
  };
  const schedule = () => { clearTimeout(timer); timer = setTimeout(save, 500); };
  const changed = (input) => { pending.add(input); colour(input); schedule(); };

  cells.forEach((input) => {
    input.dataset.saved = input.value;
    input.addEventListener("keydown", (event) => {
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], Enter: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      const step = moves[event.key];
      if (!step) return;
      event.preventDefault();
      move(input, ...step);
    });
    input.addEventListener("input", () => {
      input.value = input.value.toUpperCase();
      changed(input);
      if (/^[1-4]$/.test(input.value)) move(input, 1, 0);
    });
    input.addEventListener("paste", (event) => {
      const text = (event.clipboardData || window.clipboardData).getData("text");
      const values = text.replace(/\r/g, "").split("\n").filter((line, i, all) => line !== "" || i < all.length - 1);
      if (values.length < 2) return;
      event.preventDefault();
      values.forEach((value, offset) => {
        const target = at(Number(input.dataset.row) + offset, Number(input.dataset.col));
        if (!target) return;
        target.value = value.split("\t")[0].trim().toUpperCase();
        changed(target);
      });
    });
  });
  form.addEventListener("submit", (event) => {
    // Everything is saved as typed; the button only flushes what is pending.
    event.preventDefault();
    clearTimeout(timer);
    save();
  });
})();

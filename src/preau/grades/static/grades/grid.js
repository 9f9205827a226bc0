// The grade grid. Without JavaScript it is a plain form posting every cell. With it: arrows and
// Enter move between cells, a column pasted from a spreadsheet fills the cells below, and each
// change is saved a moment later (only the changed cells, each with the version it was read
// at). A cell someone else changed meanwhile is not overwritten: it shows their value and what
// was typed. The words come translated from the page.
(() => {
  const form = document.querySelector("[data-grid]");
  if (!form) return;
  const words = form.dataset;
  const status = form.querySelector("[data-status]");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]");
  const fields = () => Array.from(form.querySelectorAll("[data-cell], [data-comment]"));
  const nameOf = (input) => input.dataset.cell || input.dataset.comment;
  const dirty = new Set();
  let timer = null;
  let saving = false;
  let again = false;

  fields().forEach((input) => {
    input.dataset.saved = input.value;
  });

  const say = (text, alert) => {
    if (!status) return;
    status.textContent = text;
    status.setAttribute("role", alert ? "alert" : "status");
  };

  const at = (row, col, comment) =>
    form.querySelector(`[${comment ? "data-comment" : "data-cell"}][data-row="${row}"][data-col="${col}"]`);

  const move = (input, dRow, dCol) => {
    const comment = Boolean(input.dataset.comment);
    const row = Number(input.dataset.row) + dRow;
    let col = Number(input.dataset.col) + dCol;
    let target;
    if (dCol && form.querySelector("[data-comment]")) {
      // One assessment: the mark and the comment are the two columns.
      target = comment ? (dCol < 0 ? at(row, 0, false) : null) : dCol > 0 ? at(row, 1, true) : null;
    } else {
      target = at(row, col, comment);
    }
    if (target) {
      target.focus();
      target.select();
    }
    return Boolean(target);
  };

  const mark = (input) => {
    const name = nameOf(input);
    const box = form.querySelector(`[data-cell-box="${name}"]`);
    const changed = fields()
      .filter((f) => nameOf(f) === name)
      .some((f) => f.value !== f.dataset.saved);
    if (changed) dirty.add(name);
    else dirty.delete(name);
    if (box) box.classList.toggle("is-dirty", changed);
  };

  const schedule = (delay) => {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  };

  const field = (prefix, name) => form.querySelector(`[name="${prefix}-${name}"]`);

  async function save() {
    if (!dirty.size) return;
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    const sent = new Map();
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf.value);
    dirty.forEach((name) => {
      const markInput = field("m", name);
      const comment = field("c", name);
      body.append(`m-${name}`, markInput.value);
      body.append(`v-${name}`, field("v", name).value);
      if (comment) body.append(`c-${name}`, comment.value);
      sent.set(name, [markInput.value, comment ? comment.value : null]);
    });
    say(words.saving, false);
    try {
      const response = await fetch(window.location.href, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      form.querySelectorAll("td.is-error").forEach((td) => td.classList.remove("is-error"));
      if (answer.ok) {
        sent.forEach(([markValue, commentValue], name) => {
          const version = answer.versions[name];
          if (version !== undefined) field("v", name).value = version;
          const markInput = field("m", name);
          markInput.dataset.saved = markValue;
          const comment = field("c", name);
          if (comment && commentValue !== null) comment.dataset.saved = commentValue;
          mark(markInput);
          const note = form.querySelector(`[data-note="${name}"]`);
          if (note) note.textContent = "";
          const box = form.querySelector(`[data-cell-box="${name}"]`);
          if (box) box.classList.remove("is-conflict");
        });
        say(words.saved, false);
      } else {
        (answer.conflicts || []).forEach((conflict) => {
          const markInput = field("m", conflict.cell);
          const yours = markInput.value;
          markInput.value = conflict.theirs;
          markInput.dataset.saved = conflict.theirs;
          field("v", conflict.cell).value = conflict.version;
          const note = form.querySelector(`[data-note="${conflict.cell}"]`);
          if (note) note.textContent = `${words.conflict} ${yours || words.empty}`;
          const box = form.querySelector(`[data-cell-box="${conflict.cell}"]`);
          if (box) box.classList.add("is-conflict");
          mark(markInput);
        });
        const messages = [...(answer.errors || []), ...(answer.conflicts || []).map((c) => c.message)];
        say(messages.join(" "), true);
        // The other cells were not saved either: try them again once the conflicts are shown.
        if (!(answer.errors || []).length && dirty.size) again = true;
      }
    } catch (error) {
      say(words.failed, true);
    } finally {
      saving = false;
      if (again) {
        again = false;
        schedule(200);
      }
    }
  }

  form.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!input.matches("[data-cell], [data-comment]")) return;
    const start = input.selectionStart;
    const end = input.selectionEnd;
    let moved = false;
    if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) {
      moved = move(input, 1, 0);
      if (event.key === "Enter") event.preventDefault();
    } else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) {
      moved = move(input, -1, 0);
      if (event.key === "Enter") event.preventDefault();
    } else if (event.key === "ArrowLeft" && start === 0 && end === 0) {
      moved = move(input, 0, -1);
    } else if (event.key === "ArrowRight" && start === input.value.length) {
      moved = move(input, 0, 1);
    }
    if (moved) {
      event.preventDefault();
      schedule(300);
    }
  });

  form.addEventListener("paste", (event) => {
    const input = event.target;
    if (!input.matches("[data-cell]")) return;
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]/.test(text)) return;
    event.preventDefault();
    const lines = text.replace(/\r/g, "").replace(/\n+$/, "").split("\n");
    const row = Number(input.dataset.row);
    const col = Number(input.dataset.col);
    lines.forEach((line, i) => {
      line.split("\t").forEach((value, j) => {
        const target = at(row + i, col + j, false);
        if (!target || target.readOnly) return;
        target.value = value.trim();
        mark(target);
      });
    });
    schedule(300);
  });

  form.addEventListener("input", (event) => {
    if (!event.target.matches("[data-cell], [data-comment]")) return;
    mark(event.target);
    schedule(1200);
  });

  form.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-cell]")) event.target.select();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    save();
  });
})();

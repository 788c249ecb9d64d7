// dartnk pages: live grading of forms (the server's clinical rules answer; nothing is stored),
// showing the inputs a grading kind needs, and polling a simulation run's progress.
"use strict";

function csrfToken() {
  const main = document.getElementById("main");
  return main ? main.dataset.csrf : "";
}

function formFields(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.name === "csrf_token" || el.disabled) continue;
    if ((el.type === "checkbox" || el.type === "radio") && !el.checked) continue;
    out[el.name] = el.value;
  }
  return out;
}

function text(tag, content, cls) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (cls) el.className = cls;
  return el;
}

const renderers = {
  "/live/adverse-event": (r, box) => {
    box.append(text("p", "Grade " + r.grade, "live-grade"));
    if (r.ice_score !== undefined && r.ice_score !== null) box.append(text("p", "ICE score " + r.ice_score + "/10"));
    box.append(text("p", r.reason, "live-reason"));
    if (r.category) box.append(text("p", "Category: " + r.category.replace(/_/g, " ")));
  },
  "/live/eligibility": (r, box) => {
    const verdict = r.eligible === true ? "Eligible" : r.eligible === false ? "Not eligible" : "Undetermined (data missing)";
    box.append(text("p", verdict, "live-grade"));
    const ul = document.createElement("ul");
    for (const c of r.criteria) {
      if (c.met === true) continue;
      ul.append(text("li", (c.met === false ? "✗ " : "? ") + c.text + " — " + c.reason, c.met === false ? "bad" : ""));
    }
    box.append(ul);
  },
  "/live/antigens": (r, box) => {
    const ul = document.createElement("ul");
    for (const [name, a] of Object.entries(r.antigens)) {
      const verdict = a.positive === true ? "positive" : a.positive === false ? "negative" : "missing";
      ul.append(text("li", name + ": " + verdict + (a.reason ? " — " + a.reason : "")));
    }
    box.append(ul);
    box.append(text("p", "Qualifies for: " + (r.qualifying_constructs.join(", ") || "no construct"), "live-grade"));
  },
  "/live/recist": (r, box) => {
    if (r.baseline) {
      box.append(text("p", "Baseline sum " + r.sum_mm + " mm (" + r.lesions + " target lesions)", "live-grade"));
      return;
    }
    const v = r.visit;
    box.append(text("p", "Overall: " + v.overall, "live-grade"));
    box.append(text("p", "Sum " + (v.sum_mm === null ? "not evaluable" : v.sum_mm + " mm") +
      (v.pct_change_from_baseline === null || v.pct_change_from_baseline === undefined ? "" : ", " + v.pct_change_from_baseline + "% from baseline") +
      (v.nadir_mm === null || v.nadir_mm === undefined ? "" : ", nadir " + v.nadir_mm + " mm")));
    box.append(text("p", "Target response: " + v.target));
    if (v.reason) box.append(text("p", v.reason, "live-reason"));
    box.append(text("p", "Best overall response so far: " + r.best_overall_response));
  },
};

function liveForm(form) {
  const url = form.dataset.live;
  const key = Object.keys(renderers).find((k) => url.startsWith(k));
  const box = document.getElementById("live-result");
  let timer = null;
  let seq = 0;
  async function update() {
    const mine = ++seq;
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(formFields(form)),
    });
    if (mine !== seq) return;  // a newer update is on its way
    const r = await res.json();
    const title = box.querySelector("h2");
    box.replaceChildren(title);
    if (!res.ok || r.ok === false) {
      box.append(text("p", r.error || r.detail || "cannot grade yet", "bad"));
      return;
    }
    renderers[key](r, box);
    box.dataset.updated = String(mine);
  }
  const schedule = () => { clearTimeout(timer); timer = setTimeout(update, 200); };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  update();
}

function switchable(form) {
  const select = form.querySelector("[data-switch]");
  if (!select) return;
  const show = () => {
    for (const fs of form.querySelectorAll("fieldset[data-when]")) {
      const on = fs.dataset.when === select.value;
      fs.hidden = !on;
      for (const el of fs.elements) el.disabled = !on;
    }
    const term = form.querySelector("#ae-term");
    if (term && select.value === "crs") term.value = "Cytokine release syndrome";
    if (term && select.value === "icans") term.value = "Immune effector cell-associated neurotoxicity syndrome";
  };
  select.addEventListener("change", show);
  show();
}

function pollJob() {
  const job = document.getElementById("job");
  if (!job) return;
  const progress = document.getElementById("job-progress");
  const status = document.getElementById("job-status");
  const link = document.getElementById("job-report");
  async function tick() {
    const r = await (await fetch(job.dataset.statusUrl)).json();
    progress.value = r.done;
    status.textContent = r.status + (r.error ? ": " + r.error : "") + " — " + r.done + " of " + r.trials + " trials";
    if (r.status === "done") { link.hidden = false; return; }
    if (r.status === "running") setTimeout(tick, 500);
  }
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-live]")) {
    switchable(form);
    liveForm(form);
  }
  pollJob();
});

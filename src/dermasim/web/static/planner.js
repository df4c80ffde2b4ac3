/* dermasim planner page.
 *
 * Reads the form, asks the JSON API of the same server (POST /api/screen, /api/plan,
 * /api/simulate, /api/report) and shows the answers: the candidacy screen, the table of
 * baselines and plans, and a chart of medians with 5-95% bands over time (uPlot, served by
 * the app). Every value is checked by the server; its refusal is shown beside the field it
 * names. Text from the server is set with textContent, never parsed as HTML.
 */
"use strict";

const COLORS = ["#6b6b6b", "#b5651d", "#1f5fa8", "#2e8b57", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"];
const POINTS = 37; // days on the time-course chart, evenly spaced over the horizon

const state = { request: null, plan: null, chart: null, courses: [] };

function byId(id) {
  return document.getElementById(id);
}

/** POST a JSON body; resolves to the parsed answer or rejects with {status, error}. */
async function post(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw { status: 0, error: { field: "request", message: "the dermasim server did not answer: is `dermasim serve` still running?" } };
  }
  let data = null;
  try {
    data = await response.json();
  } catch (err) {
    data = null;
  }
  if (!response.ok) {
    const error = data && data.error ? data.error : { field: "request", message: `the server answered ${response.status}` };
    throw { status: response.status, error };
  }
  return data;
}

function numberOrNull(input) {
  const text = input.value.trim();
  if (text === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : text; // the server names a non-number
}

/** The patient object of the form. */
function patientFromForm(form) {
  const patient = {};
  for (const input of form.querySelectorAll("[name^='patient.']")) {
    const key = input.name.slice("patient.".length);
    if (input.type === "checkbox") patient[key] = input.checked;
    else if (input.type === "number") patient[key] = numberOrNull(input);
    else if (key === "fitzpatrick") patient[key] = Number(input.value);
    else patient[key] = input.value;
  }
  return patient;
}

/** The body of POST /api/plan from the form (the options of `dermasim plan`). */
function planRequest(form) {
  const body = {
    patient: patientFromForm(form),
    concern: form.elements.concern.value,
    horizon: form.elements.horizon.value.trim(),
    treatments: [...form.querySelectorAll("input[name='treatments']:checked")].map((i) => i.value),
    draws: numberOrNull(form.elements.draws),
    seed: numberOrNull(form.elements.seed),
    parameters: "posterior",
  };
  for (const name of ["max_sessions", "max_downtime_days"]) {
    const value = numberOrNull(form.elements[name]);
    if (value !== null) body[name] = value;
  }
  return body;
}

/** The element a refused field belongs to: by name, or the nearest named part of a dotted path. */
function fieldElement(field) {
  const parts = String(field || "").replace(/\[\d+\]/g, "").split(".");
  while (parts.length) {
    const name = parts.join(".");
    const named = document.querySelector(`#plan-form [name='${CSS.escape(name)}']`);
    if (named) {
      return name === "treatments" ? byId("treatments") : named;
    }
    parts.pop();
  }
  return null;
}

function clearErrors(scope) {
  for (const element of scope.querySelectorAll("[aria-invalid='true']")) element.removeAttribute("aria-invalid");
  for (const element of scope.querySelectorAll(".field-error")) element.textContent = "";
  const top = byId("form-error");
  if (scope.contains(top)) {
    top.textContent = "";
    top.hidden = true;
  }
}

/** Show a refusal beside the field it names (or above the form), and move focus there. */
function showError(error) {
  const element = fieldElement(error.field);
  const message = error.message || String(error);
  if (element) {
    const group = element.closest("fieldset.flags");
    const slot = byId(`${element.id}-error`) || (group && byId(`${group.id}-error`));
    element.setAttribute("aria-invalid", "true");
    if (slot) {
      slot.textContent = message;
      element.focus();
      return;
    }
  }
  const top = byId("form-error");
  top.textContent = message;
  top.hidden = false;
  top.scrollIntoView({ block: "nearest" });
}

function setStatus(text) {
  byId("status").textContent = text;
}

function busy(on) {
  byId("plan-button").disabled = on;
  byId("report-button").disabled = on;
  byId("results").setAttribute("aria-busy", on ? "true" : "false");
}

function interval(q, digits = 1) {
  if (!q || q.median === undefined) return "-";
  const f = (x) => Number(x).toFixed(digits);
  return `${f(q.median)} [${f(q.p05)}, ${f(q.p95)}]`;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  const parts = /^(\S+) (\[.*\])$/.exec(text);
  if (className === "num" && parts) {
    // "median [p05, p95]": the two parts may wrap onto two lines, never inside the interval
    const median = document.createElement("span");
    const range = document.createElement("span");
    median.textContent = parts[1];
    range.textContent = parts[2];
    range.className = "range";
    td.append(median, " ", range);
  } else {
    td.textContent = text;
  }
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function renderScreen(screen) {
  const list = byId("screen-list");
  list.replaceChildren();
  for (const entry of screen) {
    const item = document.createElement("li");
    const status = document.createElement("span");
    status.className = `status-${entry.status}`;
    status.textContent = entry.status;
    item.append(`${entry.treatment.replace(/_/g, " ")}: `, status);
    if (entry.max_depth_mm !== undefined) {
      item.append(` (deepest setting here ${Number(entry.max_depth_mm).toFixed(2)} mm)`);
    }
    if (entry.reasons.length) item.append(` - ${entry.reasons.join("; ")}`);
    list.appendChild(item);
  }
  byId("screen").hidden = false;
}

function renderTable(plan) {
  const body = byId("plan-table").querySelector("tbody");
  body.replaceChildren();
  const gain = plan.plans.length ? plan.plans[0].gain : plan.baselines[0].gain;
  const label = `${gain.endpoint.replace(/_/g, " ")} (${gain.unit}) at day ${Number(gain.t_days).toFixed(0)}`;
  byId("gain-heading").textContent = `Gain: ${label}`;
  byId("plan-caption").textContent =
    `Median [5th, 95th percentile] over ${plan.provenance.draws} paired draws (seed ${plan.provenance.seed}), ` +
    `${plan.patient.age}-year-old ${plan.patient.sex}, ${plan.patient.site.replace(/_/g, " ")}.`;
  for (const base of plan.baselines) {
    const row = document.createElement("tr");
    row.className = "baseline";
    const head = document.createElement("th");
    head.scope = "row";
    head.textContent = base.name;
    row.appendChild(head);
    cell(row, base.protocol);
    if (!base.gain) {
      const td = cell(row, `not a candidate: ${base.screen.reasons.join("; ")}`);
      td.colSpan = 6;
    } else {
      cell(row, String(base.sessions), "num");
      cell(row, interval(base.gain), "num");
      cell(row, "-");
      cell(row, "-");
      cell(row, interval(base.downtime_days), "num");
      cell(row, interval(base.total_downtime_days), "num");
    }
    body.appendChild(row);
  }
  for (const plan_row of plan.plans) {
    const row = document.createElement("tr");
    const head = document.createElement("th");
    head.scope = "row";
    head.textContent = `plan ${plan_row.rank}`;
    row.appendChild(head);
    const course = cell(row, plan_row.protocol);
    if (plan_row.rank > 1 && plan_row.indistinguishable_from_best) {
      const tie = document.createElement("div");
      tie.className = "tie";
      tie.textContent = "cannot be told apart from plan 1";
      course.appendChild(tie);
    }
    cell(row, String(plan_row.sessions), "num");
    cell(row, interval(plan_row.gain), "num");
    cell(row, interval(plan_row.vs_standard), "num");
    cell(row, plan_row.vs_standard ? plan_row.vs_standard.p_better.toFixed(2) : "-", "num");
    cell(row, interval(plan_row.downtime_days), "num");
    cell(row, interval(plan_row.total_downtime_days), "num");
    body.appendChild(row);
  }
  const left = Object.entries(plan.search_space.left_out).map(([why, n]) => `${n} left out: ${why}`);
  const sentence = (t) => t.charAt(0).toUpperCase() + t.slice(1);
  const evidence = [...new Set([...plan.baselines, ...plan.plans].flatMap((row) => row.evidence || []))];
  const notes = [
    `${plan.search_space.evaluated} courses evaluated.`,
    ...left.map((t) => `${t}.`),
    ...plan.notes.map(sentence),
    ...evidence.map((t) => `Evidence: ${t}.`),
  ];
  if (!plan.plans.length) notes.unshift("No course met the constraints.");
  byId("plan-notes").textContent = notes.join(" ");
  byId("plan-output").hidden = false;
}

function chartDays(horizon) {
  const days = [];
  for (let i = 0; i < POINTS - 1; i += 1) days.push(Math.floor(((horizon * i) / (POINTS - 1)) * 10) / 10);
  days.push(horizon); // the last point is the day the table's gain is read
  return days;
}

/** The time course of one protocol for the planned patient, from POST /api/simulate. */
async function course(label, protocol) {
  const request = state.request;
  const horizon = state.plan.horizon_days;
  const sim = await post("/api/simulate", {
    protocol,
    patient: request.patient,
    days: horizon,
    at: chartDays(horizon),
    draws: request.draws,
    seed: request.seed,
    parameters: request.parameters,
  });
  const endpoint = state.plan.concern_detail.endpoint;
  const out = sim.outputs[endpoint];
  return { label, protocol, days: out.t_days, median: out.median, p05: out.p05, p95: out.p95, unit: out.unit };
}

function drawChart() {
  const holder = byId("chart");
  if (state.chart) {
    state.chart.destroy();
    state.chart = null;
  }
  holder.replaceChildren();
  const courses = state.courses;
  if (!courses.length || typeof uPlot === "undefined") return;
  const endpoint = state.plan.concern_detail.endpoint.replace(/_/g, " ");
  const unit = courses[0].unit;
  const data = [courses[0].days];
  const series = [{ label: "day" }];
  const bands = [];
  const legend = byId("chart-legend");
  legend.replaceChildren();
  courses.forEach((c, i) => {
    const color = COLORS[i % COLORS.length];
    const at = data.length;
    data.push(c.median, c.p05, c.p95);
    const bound = { stroke: `${color}99`, width: 1, dash: [4, 3], points: { show: false } };
    series.push(
      { label: `${c.label} median`, stroke: color, width: 2, points: { show: false } },
      { label: `${c.label} 5%`, ...bound },
      { label: `${c.label} 95%`, ...bound },
    );
    bands.push({ series: [at + 2, at + 1], fill: `${color}18` });
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.backgroundColor = color;
    item.append(swatch, c.protocol === c.label ? c.label : `${c.label}: ${c.protocol}`);
    legend.appendChild(item);
  });
  const width = Math.max(280, holder.clientWidth || 600);
  state.chart = new uPlot(
    {
      width,
      height: 320,
      series,
      bands,
      scales: { x: { time: false } },
      axes: [{ label: "day after the first session" }, { label: `${endpoint} (${unit})`, size: 60 }],
      legend: { show: false },
    },
    data,
    holder,
  );
  byId("chart-caption").textContent =
    `${endpoint} (${unit}): medians (lines) with 5-95% bands of ${courses.map((c) => c.label).join(", ")}; ` +
    `${state.request.draws} draws, seed ${state.request.seed}.`;
  renderChartTable();
}

function renderChartTable() {
  const table = byId("chart-table");
  const head = document.createElement("tr");
  for (const title of ["day", ...state.courses.map((c) => c.label)]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = title;
    head.appendChild(th);
  }
  table.tHead.replaceChildren(head);
  const body = table.tBodies[0];
  body.replaceChildren();
  const days = state.courses[0].days;
  days.forEach((day, j) => {
    if (j % 4 !== 0 && j !== days.length - 1) return; // every fourth day keeps the table short
    const row = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = Number(day).toFixed(0);
    row.appendChild(th);
    for (const c of state.courses) cell(row, interval({ median: c.median[j], p05: c.p05[j], p95: c.p95[j] }), "num");
    body.appendChild(row);
  });
}

async function planCourse(event) {
  event.preventDefault();
  const form = byId("plan-form");
  clearErrors(form);
  const request = planRequest(form);
  busy(true);
  try {
    setStatus("Screening the patient...");
    const screen = await post("/api/screen", { patient: request.patient });
    renderScreen(screen.screen);
    setStatus(`Planning with ${request.draws} draws...`);
    const plan = await post("/api/plan", request);
    state.request = request;
    state.plan = plan;
    renderTable(plan);
    setStatus("Simulating the time course...");
    state.courses = [];
    const chosen = [["no treatment", plan.baselines[0]], ["standard", plan.baselines[1]]];
    if (plan.plans.length) chosen.push(["plan 1", plan.plans[0]]);
    for (const [label, row] of chosen) {
      if (row && row.gain) state.courses.push(await course(label, row.protocol));
    }
    drawChart();
    const best = plan.plans.length ? `plan 1: ${plan.plans[0].protocol}` : "no plan met the constraints";
    setStatus(`Done: ${plan.plans.length} plans beside 2 baselines; ${best}.`);
  } catch (failure) {
    setStatus(`Not planned: ${failure.error ? failure.error.message : failure}`);
    if (failure.error) showError(failure.error);
  } finally {
    busy(false);
  }
}

async function downloadReport() {
  if (!state.request) return;
  busy(true);
  setStatus("Writing the report...");
  try {
    const response = await fetch("/api/report", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(state.request),
    });
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      throw { error: data && data.error ? data.error : { message: `the server answered ${response.status}` } };
    }
    const blob = await response.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `dermasim-plan-${state.plan.concern}.html`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    setStatus(`Report downloaded (${Math.round(blob.size / 1024)} kB).`);
  } catch (failure) {
    setStatus(`No report: ${failure.error ? failure.error.message : failure}`);
  } finally {
    busy(false);
  }
}

/* The protocol builder: the compact string is checked as it is typed (POST /api/screen with
 * the protocol), and "Add to the chart" simulates it for the planned patient. */
let checkTimer = null;
let checkCount = 0;

function protocolPatient() {
  return state.request ? state.request.patient : patientFromForm(byId("plan-form"));
}

function showProtocolError(message) {
  const input = byId("protocol");
  byId("protocol-error").textContent = message;
  byId("protocol-screen").textContent = "";
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

async function checkProtocol() {
  const text = byId("protocol").value.trim();
  const mine = ++checkCount;
  if (!text) {
    showProtocolError("");
    return false;
  }
  try {
    const screen = await post("/api/screen", { patient: protocolPatient(), protocol: text });
    if (mine !== checkCount) return false;
    showProtocolError("");
    const verdict = screen.protocol;
    const reasons = verdict.reasons.length ? `: ${verdict.reasons.join("; ")}` : "";
    byId("protocol-screen").textContent = `Reads as "${verdict.compact}" (${verdict.status}${reasons}).`;
    return verdict.status !== "contraindicated";
  } catch (failure) {
    if (mine === checkCount) showProtocolError(failure.error.message);
    return false;
  }
}

async function addProtocol(event) {
  event.preventDefault();
  if (!state.plan) return;
  const ok = await checkProtocol();
  if (!ok) {
    byId("protocol").focus();
    return;
  }
  const text = byId("protocol").value.trim();
  byId("protocol-button").disabled = true;
  setStatus(`Simulating ${text}...`);
  try {
    state.courses.push(await course(text, text));
    drawChart();
    setStatus(`Added to the chart: ${text}.`);
  } catch (failure) {
    showProtocolError(failure.error.message);
    setStatus(`Not added: ${failure.error.message}`);
  } finally {
    byId("protocol-button").disabled = false;
  }
}

function start() {
  byId("plan-form").addEventListener("submit", planCourse);
  byId("report-button").addEventListener("click", downloadReport);
  byId("protocol-form").addEventListener("submit", addProtocol);
  byId("protocol").addEventListener("input", () => {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(checkProtocol, 350);
  });
  for (const input of byId("plan-form").querySelectorAll("input, select")) {
    input.addEventListener("input", () => {
      const owner = input.closest("fieldset.flags") || input;
      if (owner.getAttribute("aria-invalid") === "true") {
        owner.removeAttribute("aria-invalid");
        const slot = byId(`${owner.id}-error`);
        if (slot) slot.textContent = "";
      }
    });
  }
  if (window.ResizeObserver) {
    new ResizeObserver(() => {
      const holder = byId("chart");
      if (state.chart && holder.clientWidth) state.chart.setSize({ width: holder.clientWidth, height: 320 });
    }).observe(byId("chart"));
  }
}

document.addEventListener("DOMContentLoaded", start);

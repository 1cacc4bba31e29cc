// The review page: the result over its drawing, and the person's corrections to it.
//
// Everything from the drawing reaches the page through textContent or an attribute value, never
// as HTML. Corrections are kept as a list (what the person did, in order); the shown result is
// always the original with that list replayed, so undo is "drop the last one and replay". The
// list lives in this browser's localStorage until it is downloaded as a corrections file for
// `sld corrections apply`.
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("sld-data").textContent);
  const SVG_NS = "http://www.w3.org/2000/svg";
  const ORIGINAL = DATA.document;
  const STORE_KEY = "sld-review:" + DATA.fingerprint;
  const UNITS = {
    voltage_v: "V", current_a: "A", power_kva: "kVA", power_kw: "kW", power_hp: "HP",
    impedance_pct: "%Z", frequency_hz: "Hz", poles: "P", phases: "ph",
  };

  let corrections = [];
  let state = null;
  let pageIndex = ORIGINAL.pages.length ? ORIGINAL.pages[0].index : 0;
  let selected = null; // {kind: "component" | "text", id}
  let mode = "select";
  let zoom = 1;
  let drag = null;
  let sortKey = "check";
  let sortDescending = true;
  const hiddenTypes = new Set();
  const $ = (id) => document.getElementById(id);

  // --- small helpers ------------------------------------------------------------------------

  function el(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  const clone = (value) => JSON.parse(JSON.stringify(value));
  const round = (value) => Math.round(value * 100) / 100;
  const centre = (box) => [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
  const colour = (type) => DATA.colours[type] || DATA.otherColour;
  const pageOf = (doc, index) => doc.pages.find((page) => page.index === index);
  const currentPage = () => pageOf(state, pageIndex);

  function formatRatings(ratings) {
    return Object.entries(ratings)
      .map(([key, value]) => (Array.isArray(value) ? value.join("/") : String(value)) + " " + (UNITS[key] || key))
      .join(" · ");
  }

  function textsOf(page, componentId) {
    return page.texts.filter((text) => text.component_id === componentId);
  }

  function connectionCount(page, componentId) {
    return page.connections.filter((pair) => pair.includes(componentId)).length;
  }

  // --- what to check first (the reasons come from sld; corrections clear some) -----------------

  function componentReasons(page, component) {
    const reasons = (DATA.check.components[component.id] || []).slice();
    const changed = corrections.some((c) => c.component_id === component.id && c.action !== "relink");
    if (changed) return reasons.filter((reason) => reason === "no connection");
    return reasons;
  }

  function textReasons(text) {
    const relinked = corrections.some((c) => c.action === "relink" && c.text_id === text.id);
    return relinked || text.component_id ? [] : DATA.check.texts[text.id] || [];
  }

  // --- corrections --------------------------------------------------------------------------

  function replay() {
    state = clone(ORIGINAL);
    for (const page of state.pages) page.accepted = page.index in DATA.review.acceptedPages;
    for (const correction of corrections) applyOne(state, correction);
  }

  function applyOne(doc, c) {
    const page = pageOf(doc, c.page);
    if (!page) return;
    const component = page.components.find((item) => item.id === c.component_id);
    switch (c.action) {
      case "retype": if (component) component.type = c.type; break;
      case "move": if (component) component.bbox = c.bbox.slice(); break;
      case "rename": if (component) component.name = c.name; break;
      case "rate":
        if (component && c.value === null) delete component.ratings[c.key];
        else if (component) component.ratings[c.key] = c.value;
        break;
      case "add":
        page.components.push({ id: c.component_id, type: c.type, bbox: c.bbox.slice(), score: 1, name: null, ratings: {} });
        break;
      case "delete":
        page.components = page.components.filter((item) => item.id !== c.component_id);
        for (const text of page.texts) if (text.component_id === c.component_id) text.component_id = null;
        page.connections = page.connections.filter((pair) => !pair.includes(c.component_id));
        break;
      case "relink": {
        const text = page.texts.find((item) => item.id === c.text_id);
        if (text) text.component_id = c.component_id;
        break;
      }
      case "accept_page": page.accepted = true; break;
    }
  }

  const sameTarget = (a, b) =>
    a.action === b.action && a.page === b.page && a.component_id === b.component_id &&
    a.text_id === b.text_id && a.key === b.key;

  // Record one correction, folded into what is already there where that keeps the file minimal:
  // a box added here and then moved, retyped or deleted stays one correction (or none).
  function record(correction) {
    correction.at = new Date().toISOString();
    const added = corrections.find((c) => c.action === "add" && c.component_id === correction.component_id);
    if (added && correction.action === "delete") {
      corrections = corrections.filter((c) => c.component_id !== correction.component_id);
    } else if (added && correction.action === "move") {
      added.bbox = correction.bbox;
    } else if (added && correction.action === "retype") {
      added.type = correction.type;
    } else if (corrections.length && sameTarget(corrections[corrections.length - 1], correction)) {
      corrections[corrections.length - 1] = correction;
    } else {
      corrections.push(correction);
    }
    changed();
  }

  function changed() {
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify({ corrections: corrections }));
    } catch (error) {
      showNotice("This browser does not keep the corrections between visits: download them before closing.");
    }
    replay();
    if (selected && selected.kind === "component" && !currentPage().components.some((c) => c.id === selected.id)) selected = null;
    draw();
  }

  function undo() {
    if (!corrections.length) return;
    corrections.pop();
    changed();
  }

  function describe(c) {
    const target = c.component_id !== undefined && c.action !== "relink" ? c.component_id : c.text_id;
    const where = "p" + (c.page + 1) + " ";
    switch (c.action) {
      case "retype": return where + target + " → " + c.type;
      case "add": return where + "add " + c.type + " " + c.component_id;
      case "delete": return where + "delete " + target;
      case "move": return where + "move " + target;
      case "rename": return where + target + " named " + (c.name === null ? "(none)" : c.name);
      case "rate": return where + target + " " + c.key + " = " + (c.value === null ? "(none)" : c.value);
      case "relink": return where + "text " + c.text_id + " → " + (c.component_id || "(none)");
      case "accept_page": return where + "accepted";
    }
    return where + c.action;
  }

  function newComponentId(page) {
    const taken = new Set(state.pages.flatMap((p) => p.components.map((c) => c.id)));
    for (const c of corrections) if (c.component_id) taken.add(c.component_id);
    let number = 0;
    while (taken.has("p" + page + "-r" + number)) number += 1;
    return "p" + page + "-r" + number;
  }

  function download() {
    const body = {
      format: "sld-corrections",
      version: 1,
      document: { path: ORIGINAL.source.path, sha256: ORIGINAL.source.sha256 },
      result: DATA.fingerprint,
      reviewer: $("reviewer").value.trim() || null,
      corrections: corrections,
    };
    const blob = new Blob([JSON.stringify(body, null, 1) + "\n"], { type: "application/json" });
    const link = el("a", { href: URL.createObjectURL(blob), download: DATA.stem + ".corrections.json" });
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 2000);
    showNotice("Saved " + DATA.stem + ".corrections.json. Store it with: sld corrections apply " +
      DATA.stem + ".corrections.json  (add --learn to teach the symbol library)");
  }

  function showNotice(message) {
    const notice = $("notice");
    notice.textContent = message;
    notice.hidden = false;
  }

  // --- drawing the page ---------------------------------------------------------------------

  function draw() {
    drawPage();
    drawLegend();
    drawDetails();
    drawCorrections();
    drawTable();
    drawToolbar();
  }

  function drawPage() {
    const page = currentPage();
    const root = $("page");
    root.replaceChildren();
    root.setAttribute("viewBox", "0 0 " + page.width + " " + page.height);
    root.setAttribute("width", String(Math.round(page.width * zoom)));
    root.setAttribute("height", String(Math.round(page.height * zoom)));
    root.classList.toggle("hide-texts", !$("show-texts").checked);
    root.classList.toggle("hide-links", !$("show-links").checked);
    root.classList.toggle("hide-connections", !$("show-connections").checked);
    const picture = DATA.pictures[String(page.index)];
    if (picture) root.appendChild(svg("image", { href: picture, x: 0, y: 0, width: page.width, height: page.height, preserveAspectRatio: "none" }));
    const visible = page.components.filter((c) => !hiddenTypes.has(c.type));
    const boxes = new Map(page.components.map((c) => [c.id, c.bbox]));
    const layer = (name) => root.appendChild(svg("g", { class: "layer-" + name }));
    const connections = layer("connections");
    for (const [a, b] of page.connections) {
      if (!boxes.has(a) || !boxes.has(b)) continue;
      const [x1, y1] = centre(boxes.get(a));
      const [x2, y2] = centre(boxes.get(b));
      connections.appendChild(svg("line", { class: "connection", x1: x1, y1: y1, x2: x2, y2: y2 }));
    }
    const links = layer("links");
    const texts = layer("texts");
    for (const text of page.texts) {
      const [x0, y0, x1, y1] = text.bbox;
      const classes = ["text"];
      if (textReasons(text).length) classes.push("check");
      if (selected && selected.kind === "text" && selected.id === text.id) classes.push("selected");
      texts.appendChild(svg("rect", { class: classes.join(" "), "data-id": text.id, x: x0, y: y0, width: x1 - x0, height: y1 - y0 }));
      if (text.component_id && boxes.has(text.component_id)) {
        const [cx, cy] = centre(text.bbox);
        const [tx, ty] = centre(boxes.get(text.component_id));
        links.appendChild(svg("line", { class: "link", x1: cx, y1: cy, x2: tx, y2: ty }));
      }
    }
    const components = layer("components");
    for (const component of visible) {
      const [x0, y0, x1, y1] = component.bbox;
      const classes = ["component"];
      const check = componentReasons(page, component).length > 0;
      if (check) classes.push("check");
      if (selected && selected.kind === "component" && selected.id === component.id) classes.push("selected");
      components.appendChild(svg("rect", {
        class: classes.join(" "), "data-id": component.id, x: x0, y: y0, width: x1 - x0, height: y1 - y0, stroke: colour(component.type),
      }));
      if (check) components.appendChild(svg("circle", { class: "marker", cx: x1, cy: y0, r: 2.2 }));
      if (component.name) {
        const caption = svg("text", { class: "caption", x: x0, y: y0 - 1.5, fill: colour(component.type) });
        caption.textContent = component.name;
        components.appendChild(caption);
      }
    }
    if (selected && selected.kind === "component") {
      const component = page.components.find((c) => c.id === selected.id);
      if (component) drawHandles(root, component.bbox);
    }
  }

  function drawHandles(root, box) {
    const size = 5 / zoom;
    const corners = { nw: [box[0], box[1]], ne: [box[2], box[1]], sw: [box[0], box[3]], se: [box[2], box[3]] };
    const group = root.appendChild(svg("g", { class: "layer-handles" }));
    for (const [corner, [x, y]] of Object.entries(corners)) {
      group.appendChild(svg("rect", { class: "handle " + corner, "data-corner": corner, x: x - size / 2, y: y - size / 2, width: size, height: size }));
    }
  }

  function drawLegend() {
    const legend = $("legend");
    legend.replaceChildren();
    const counts = new Map();
    for (const page of state.pages) for (const c of page.components) counts.set(c.type, (counts.get(c.type) || 0) + 1);
    for (const [type, count] of [...counts.entries()].sort()) {
      const item = el("li", { "data-type": type, title: "Click to hide or show" });
      const swatch = el("span", { class: "swatch" });
      swatch.style.borderColor = colour(type);
      item.append(swatch, el("span", {}, type), el("span", { class: "count" }, count));
      if (hiddenTypes.has(type)) item.classList.add("off");
      item.addEventListener("click", () => {
        if (hiddenTypes.has(type)) hiddenTypes.delete(type); else hiddenTypes.add(type);
        draw();
      });
      legend.appendChild(item);
    }
    const checks = state.pages.reduce((n, page) => n + page.components.filter((c) => componentReasons(page, c).length).length, 0);
    const check = el("li", {}, "");
    const marker = el("span", { class: "swatch" });
    marker.style.borderColor = "#d50000";
    marker.style.borderStyle = "dashed";
    check.append(marker, el("span", {}, "check first (score < " + DATA.lowScore + ", type symbol, no connection)"), el("span", { class: "count" }, checks));
    legend.appendChild(check);
    const label = el("li", {}, "");
    const labelSwatch = el("span", { class: "swatch" });
    labelSwatch.style.borderColor = "#ff6d00";
    label.append(labelSwatch, el("span", {}, "label linked to nothing"));
    legend.appendChild(label);
  }

  function row(list, term, value) {
    list.append(el("dt", {}, term));
    const cell = el("dd");
    if (value instanceof Node) cell.append(value); else cell.textContent = value === null || value === undefined ? "" : String(value);
    list.append(cell);
    return cell;
  }

  function drawDetails() {
    const details = $("details");
    details.replaceChildren();
    const page = currentPage();
    if (!selected) {
      details.append(el("p", { class: "hint" }, mode === "add"
        ? "Drag on the drawing to draw the new box."
        : "Click a box or a text on the drawing, or a row of the table."));
      return;
    }
    if (selected.kind === "component") {
      const component = page.components.find((c) => c.id === selected.id);
      if (!component) return;
      const list = el("dl");
      row(list, "id", component.id);
      const type = el("input", { id: "edit-type", list: "type-list", value: component.type });
      type.addEventListener("change", () => {
        const value = type.value.trim();
        if (!/^[a-z][a-z0-9_]*$/.test(value)) { type.classList.add("invalid"); return; }
        if (value !== component.type) record({ action: "retype", page: page.index, component_id: component.id, type: value });
      });
      row(list, "type", type);
      const name = el("input", { id: "edit-name", value: component.name || "" });
      name.addEventListener("change", () => {
        const value = name.value.trim();
        if (value !== (component.name || "")) record({ action: "rename", page: page.index, component_id: component.id, name: value || null });
      });
      row(list, "name", name);
      row(list, "score", component.score.toFixed(3));
      row(list, "box (pt)", component.bbox.map(round).join(", "));
      for (const key of DATA.ratingKeys) {
        const current = component.ratings[key];
        const input = el("input", { "data-rating": key, placeholder: UNITS[key], value: current === undefined ? "" : Array.isArray(current) ? current.join("/") : String(current) });
        input.addEventListener("change", () => {
          const value = parseRating(key, input.value);
          if (value === undefined) { input.classList.add("invalid"); return; }
          record({ action: "rate", page: page.index, component_id: component.id, key: key, value: value });
        });
        row(list, key, input);
      }
      const texts = el("ul", { class: "texts" });
      for (const text of textsOf(page, component.id)) texts.append(el("li", {}, text.text));
      row(list, "texts", texts);
      const reshaped = corrections.some((c) => c.component_id === component.id && ["add", "move", "retype"].includes(c.action));
      row(list, "connections", reshaped ? "derived again from the drawing when the corrections are applied" : connectionCount(page, component.id));
      const reasons = componentReasons(page, component);
      if (reasons.length) row(list, "check first", reasons.join("; ")).classList.add("reasons");
      details.append(list);
      const actions = el("div", { class: "actions" });
      const remove = el("button", { id: "delete-component", class: "danger" }, "Delete (Del)");
      remove.addEventListener("click", () => deleteSelected());
      actions.append(remove);
      details.append(actions);
    } else {
      const text = page.texts.find((t) => t.id === selected.id);
      if (!text) return;
      const list = el("dl");
      row(list, "id", text.id);
      row(list, "text", text.text);
      row(list, "score", text.score.toFixed(3));
      const target = el("select", { id: "edit-link" });
      target.append(el("option", { value: "" }, "(labels nothing)"));
      for (const component of page.components) {
        const option = el("option", { value: component.id }, component.id + " " + component.type + (component.name ? " " + component.name : ""));
        if (component.id === text.component_id) option.selected = true;
        target.append(option);
      }
      target.addEventListener("change", () => relink(text, target.value || null));
      row(list, "labels", target);
      const reasons = textReasons(text);
      if (reasons.length) row(list, "check first", reasons.join("; ")).classList.add("reasons");
      details.append(list);
      const actions = el("div", { class: "actions" });
      const pick = el("button", { id: "pick-link" }, "Link to a box on the drawing");
      pick.addEventListener("click", () => setMode("link"));
      const unlink = el("button", { id: "unlink" }, "Unlink");
      unlink.addEventListener("click", () => relink(text, null));
      actions.append(pick, unlink);
      details.append(actions);
    }
  }

  // A rating as typed: "230/400" for voltages, a number otherwise, empty to remove it.
  function parseRating(key, typed) {
    const value = typed.trim();
    if (!value) return null;
    const parts = value.split(/[\/,;\s]+/).filter(Boolean).map(Number);
    if (!parts.length || parts.some((part) => !Number.isFinite(part))) return undefined;
    if (key === "voltage_v") return parts;
    if (parts.length !== 1) return undefined;
    if ((key === "poles" || key === "phases") && !Number.isInteger(parts[0])) return undefined;
    return parts[0];
  }

  function relink(text, componentId) {
    if ((text.component_id || null) === componentId) return;
    record({ action: "relink", page: pageIndex, text_id: text.id, component_id: componentId });
  }

  function deleteSelected() {
    if (!selected || selected.kind !== "component") return;
    const id = selected.id;
    selected = null;
    record({ action: "delete", page: pageIndex, component_id: id });
  }

  function drawCorrections() {
    const list = $("corrections");
    list.replaceChildren();
    for (const correction of corrections) list.append(el("li", {}, describe(correction)));
    $("correction-count").textContent = "(" + corrections.length + ")";
    $("download").textContent = "Download corrections (" + corrections.length + ")";
  }

  function drawToolbar() {
    for (const button of document.querySelectorAll("[data-mode]")) button.classList.toggle("active", button.dataset.mode === mode);
    $("viewer").className = "mode-" + mode;
    const page = currentPage();
    $("accept-page").textContent = page.accepted ? "Page accepted ✓" : "Accept page";
    $("accept-page").classList.toggle("active", Boolean(page.accepted));
    const select = $("page-select");
    select.replaceChildren();
    for (const p of state.pages) {
      const option = el("option", { value: String(p.index) }, (p.index + 1) + " of " + state.pages.length + (p.accepted ? " ✓" : ""));
      if (p.index === pageIndex) option.selected = true;
      select.append(option);
    }
    $("page-group").hidden = state.pages.length < 2;
    const components = state.pages.reduce((n, p) => n + p.components.length, 0);
    const texts = state.pages.reduce((n, p) => n + p.texts.length, 0);
    const linked = state.pages.reduce((n, p) => n + p.texts.filter((t) => t.component_id).length, 0);
    const connections = state.pages.reduce((n, p) => n + p.connections.length, 0);
    let summary = state.pages.length + " page(s) · " + components + " components · " + texts + " texts (" + linked + " linked) · " + connections + " connections";
    if (DATA.review.reviewedAt) summary += " · reviewed by " + (DATA.review.reviewedBy || "?") + " " + DATA.review.reviewedAt;
    $("summary").textContent = summary;
  }

  // --- the table ----------------------------------------------------------------------------

  function tableRows() {
    const rows = [];
    for (const page of state.pages) {
      for (const component of page.components) {
        rows.push({
          component: component,
          page: page.index + 1,
          check: componentReasons(page, component).join("; "),
          id: component.id,
          type: component.type,
          name: component.name || "",
          score: component.score,
          ratings: formatRatings(component.ratings),
          texts: textsOf(page, component.id).map((t) => t.text).join(" | "),
          connections: connectionCount(page, component.id),
        });
      }
    }
    return rows;
  }

  function drawTable() {
    const filter = $("filter").value.trim().toLowerCase();
    const type = $("type-filter").value;
    const checkOnly = $("check-only").checked;
    let rows = tableRows().filter((r) =>
      (!type || r.type === type) && (!checkOnly || r.check) &&
      (!filter || [r.id, r.type, r.name, r.ratings, r.texts, r.check].join(" ").toLowerCase().includes(filter)));
    rows.sort((a, b) => {
      // "check" sorts by how many reasons there are, then by what they say.
      const x = sortKey === "check" ? a.check.split("; ").filter(Boolean).length + a.check : a[sortKey];
      const y = sortKey === "check" ? b.check.split("; ").filter(Boolean).length + b.check : b[sortKey];
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
      return (sortDescending ? -order : order) || a.page - b.page || a.id.localeCompare(b.id, undefined, { numeric: true });
    });
    const body = document.querySelector("#components tbody");
    body.replaceChildren();
    for (const r of rows) {
      const tr = el("tr", { "data-id": r.id, "data-page": String(r.page - 1) });
      if (selected && selected.kind === "component" && selected.id === r.id) tr.classList.add("selected");
      tr.append(el("td", { class: "check" }, r.check), el("td", {}, r.page), el("td", {}, r.id), el("td", {}, r.type),
        el("td", {}, r.name), el("td", {}, r.score.toFixed(2)), el("td", {}, r.ratings), el("td", {}, r.texts), el("td", {}, r.connections));
      tr.addEventListener("click", () => {
        pageIndex = r.page - 1;
        selected = { kind: "component", id: r.id };
        draw();
        const rect = document.querySelector('#page rect.component[data-id="' + CSS.escape(r.id) + '"]');
        if (rect) rect.scrollIntoView({ block: "center", inline: "center" });
      });
      body.append(tr);
    }
    $("row-count").textContent = rows.length + " shown";
    for (const th of document.querySelectorAll("#components th")) {
      th.classList.toggle("sorted-asc", th.dataset.key === sortKey && !sortDescending);
      th.classList.toggle("sorted-desc", th.dataset.key === sortKey && sortDescending);
    }
    const types = new Set(state.pages.flatMap((p) => p.components.map((c) => c.type)));
    const typeFilter = $("type-filter");
    const chosen = typeFilter.value;
    typeFilter.replaceChildren(el("option", { value: "" }, "all types"));
    for (const t of [...types].sort()) {
      const option = el("option", { value: t }, t);
      if (t === chosen) option.selected = true;
      typeFilter.append(option);
    }
  }

  // --- pointer work on the drawing ----------------------------------------------------------

  function pointAt(event) {
    const root = $("page");
    const point = root.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const inPage = point.matrixTransform(root.getScreenCTM().inverse());
    return [inPage.x, inPage.y];
  }

  function onPointerDown(event) {
    if (event.button !== 0) return;
    const target = event.target;
    const point = pointAt(event);
    const page = currentPage();
    if (mode === "add") {
      drag = { kind: "add", start: point, box: [point[0], point[1], point[0], point[1]] };
      const draft = svg("rect", { class: "draft", id: "draft", x: point[0], y: point[1], width: 0, height: 0 });
      $("page").appendChild(draft);
      event.preventDefault();
      return;
    }
    if (mode === "link") {
      if (target.classList.contains("component") && selected && selected.kind === "text") {
        const text = page.texts.find((t) => t.id === selected.id);
        setMode("select");
        if (text) relink(text, target.dataset.id);
      }
      return;
    }
    if (target.classList.contains("handle")) {
      const component = page.components.find((c) => c.id === selected.id);
      drag = { kind: "resize", corner: target.dataset.corner, start: point, original: component.bbox.slice(), box: component.bbox.slice(), id: component.id };
      event.preventDefault();
    } else if (target.classList.contains("component")) {
      const component = page.components.find((c) => c.id === target.dataset.id);
      selected = { kind: "component", id: component.id };
      drag = { kind: "move", start: point, original: component.bbox.slice(), box: component.bbox.slice(), id: component.id };
      draw();
      event.preventDefault();
    } else if (target.classList.contains("text")) {
      selected = { kind: "text", id: target.dataset.id };
      draw();
    } else {
      selected = null;
      draw();
    }
  }

  function onPointerMove(event) {
    if (!drag) return;
    const [x, y] = pointAt(event);
    const dx = x - drag.start[0];
    const dy = y - drag.start[1];
    const o = drag.original;
    if (drag.kind === "add") {
      drag.box = [Math.min(drag.start[0], x), Math.min(drag.start[1], y), Math.max(drag.start[0], x), Math.max(drag.start[1], y)];
      setRect($("draft"), drag.box);
      return;
    }
    if (drag.kind === "move") {
      drag.box = [o[0] + dx, o[1] + dy, o[2] + dx, o[3] + dy];
    } else {
      const box = o.slice();
      if (drag.corner.includes("w")) box[0] = Math.min(o[0] + dx, o[2] - 1);
      if (drag.corner.includes("e")) box[2] = Math.max(o[2] + dx, o[0] + 1);
      if (drag.corner.includes("n")) box[1] = Math.min(o[1] + dy, o[3] - 1);
      if (drag.corner.includes("s")) box[3] = Math.max(o[3] + dy, o[1] + 1);
      drag.box = box;
    }
    const rect = document.querySelector('#page rect.component[data-id="' + CSS.escape(drag.id) + '"]');
    if (rect) setRect(rect, drag.box);
  }

  function onPointerUp() {
    if (!drag) return;
    const done = drag;
    drag = null;
    const box = done.box.map(round);
    if (done.kind === "add") {
      const width = box[2] - box[0];
      const height = box[3] - box[1];
      const type = $("add-type").value.trim();
      if (width < 2 || height < 2) { draw(); return; }
      if (!/^[a-z][a-z0-9_]*$/.test(type)) {
        showNotice("The type of a new box is snake_case letters and digits, e.g. circuit_breaker.");
        draw();
        return;
      }
      const id = newComponentId(pageIndex);
      selected = { kind: "component", id: id };
      record({ action: "add", page: pageIndex, component_id: id, type: type, bbox: box });
      return;
    }
    const moved = box.some((value, i) => Math.abs(value - done.original[i]) > 0.25);
    if (moved) record({ action: "move", page: pageIndex, component_id: done.id, bbox: box });
    else draw();
  }

  function setRect(rect, box) {
    rect.setAttribute("x", box[0]);
    rect.setAttribute("y", box[1]);
    rect.setAttribute("width", Math.max(0, box[2] - box[0]));
    rect.setAttribute("height", Math.max(0, box[3] - box[1]));
  }

  function tooltipText(target) {
    const page = currentPage();
    if (target.classList.contains("component")) {
      const c = page.components.find((item) => item.id === target.dataset.id);
      if (!c) return null;
      const lines = [c.id + "  " + c.type + (c.name ? "  " + c.name : ""), "score " + c.score.toFixed(3)];
      if (Object.keys(c.ratings).length) lines.push(formatRatings(c.ratings));
      const texts = textsOf(page, c.id).map((t) => t.text);
      if (texts.length) lines.push("texts: " + texts.join(" | "));
      const reasons = componentReasons(page, c);
      if (reasons.length) lines.push("check first: " + reasons.join("; "));
      return lines.join("\n");
    }
    if (target.classList.contains("text")) {
      const t = page.texts.find((item) => item.id === target.dataset.id);
      if (!t) return null;
      const lines = [t.text, t.id + (t.component_id ? " → " + t.component_id : " (labels nothing)")];
      const reasons = textReasons(t);
      if (reasons.length) lines.push("check first: " + reasons.join("; "));
      return lines.join("\n");
    }
    return null;
  }

  function onHover(event) {
    const tooltip = $("tooltip");
    const text = drag ? null : tooltipText(event.target);
    if (!text) { tooltip.hidden = true; return; }
    tooltip.textContent = text;
    tooltip.style.left = event.clientX + 14 + "px";
    tooltip.style.top = event.clientY + 14 + "px";
    tooltip.hidden = false;
  }

  function setMode(next) {
    mode = next;
    drawToolbar();
    drawDetails();
  }

  function fit() {
    const viewer = $("viewer");
    const page = currentPage();
    zoom = Math.max(0.1, Math.min((viewer.clientWidth - 16) / page.width, (viewer.clientHeight - 16) / page.height));
    drawPage();
  }

  // --- start --------------------------------------------------------------------------------

  function restore() {
    let saved = null;
    try {
      saved = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
      $("reviewer").value = localStorage.getItem("sld-review:reviewer") || "";
    } catch (error) {
      saved = null;
    }
    if (saved && Array.isArray(saved.corrections) && saved.corrections.length) {
      corrections = saved.corrections;
      showNotice(corrections.length + " correction(s) made earlier in this browser were restored. Download them to keep them.");
    }
  }

  function start() {
    const types = $("type-list");
    for (const type of DATA.types) types.append(el("option", { value: type }));
    restore();
    replay();
    const root = $("page");
    root.addEventListener("pointerdown", onPointerDown);
    window.addEventListener("pointermove", onPointerMove);
    window.addEventListener("pointerup", onPointerUp);
    root.addEventListener("mousemove", onHover);
    root.addEventListener("mouseleave", () => { $("tooltip").hidden = true; });
    for (const button of document.querySelectorAll("[data-mode]")) button.addEventListener("click", () => setMode(button.dataset.mode));
    $("zoom-in").addEventListener("click", () => { zoom *= 1.25; drawPage(); });
    $("zoom-out").addEventListener("click", () => { zoom /= 1.25; drawPage(); });
    $("zoom-fit").addEventListener("click", fit);
    for (const id of ["show-texts", "show-links", "show-connections"]) $(id).addEventListener("change", drawPage);
    for (const id of ["filter", "type-filter", "check-only"]) $(id).addEventListener("input", drawTable);
    $("page-select").addEventListener("change", (event) => { pageIndex = Number(event.target.value); selected = null; draw(); fit(); });
    $("accept-page").addEventListener("click", () => {
      const existing = corrections.findIndex((c) => c.action === "accept_page" && c.page === pageIndex);
      if (existing >= 0) { corrections.splice(existing, 1); changed(); }
      else if (!currentPage().accepted) record({ action: "accept_page", page: pageIndex });
    });
    $("undo").addEventListener("click", undo);
    $("download").addEventListener("click", download);
    $("reviewer").addEventListener("change", () => {
      try { localStorage.setItem("sld-review:reviewer", $("reviewer").value.trim()); } catch (error) { /* not kept */ }
    });
    for (const th of document.querySelectorAll("#components th")) {
      th.addEventListener("click", () => {
        if (sortKey === th.dataset.key) sortDescending = !sortDescending;
        else { sortKey = th.dataset.key; sortDescending = false; }
        drawTable();
      });
    }
    document.addEventListener("keydown", (event) => {
      const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
      if ((event.ctrlKey || event.metaKey) && event.key === "z" && !typing) { undo(); event.preventDefault(); }
      else if (typing) return;
      else if (event.key === "Delete" || event.key === "Backspace") { deleteSelected(); event.preventDefault(); }
      else if (event.key === "Escape") { selected = null; setMode("select"); draw(); }
      else if (event.key === "a") setMode("add");
      else if (event.key === "s") setMode("select");
    });
    draw();
    fit();
    window.sldReport = { ready: true, loadedMs: performance.now(), corrections: () => corrections.slice() };
  }

  start();
})();

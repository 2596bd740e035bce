(() => {
  "use strict";

  // Forms: say precisely what is missing, next to the form; nothing is ever sent anywhere.
  const messageFor = (form, field) => {
    if (field.validity.valueMissing) return form.dataset.required;
    if (field.validity.typeMismatch) return form.dataset.email;
    if (field.validity.tooShort) return form.dataset.short;
    return field.validationMessage;
  };
  const labelOf = (field) => {
    const label = field.labels && field.labels[0];
    const legend = field.closest("fieldset")?.querySelector("legend");
    return (label ? label.textContent : legend ? legend.textContent : field.name).trim();
  };
  document.querySelectorAll("form[data-validate]").forEach((form) => {
    const status = form.querySelector(".form-status");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const problems = [];
      let first = null;
      form.querySelectorAll("input, select, textarea").forEach((field) => {
        const ok = field.checkValidity();
        field.setAttribute("aria-invalid", String(!ok));
        if (!ok && !problems.some((p) => p.startsWith(labelOf(field)))) {
          problems.push(`${labelOf(field)}: ${messageFor(form, field)}`);
          first = first || field;
        }
      });
      if (status) status.textContent = problems.length ? form.dataset.problems + problems.join(" · ") : form.dataset.sent;
      if (first) { first.focus(); return; }
      form.reset();
    });
  });

  // The cart: what was added, counted on this page only.
  const lines = document.querySelector("[data-cart-lines]");
  const count = document.querySelector("[data-cart-count]");
  const empty = document.querySelector("[data-cart-empty]");
  let items = 0;
  document.querySelectorAll("[data-add]").forEach((button) => {
    button.addEventListener("click", () => {
      items += 1;
      const line = document.createElement("li");
      line.textContent = `${button.dataset.add} · ${button.dataset.price}`;
      lines?.append(line);
      if (count) count.textContent = String(items);
      if (empty) empty.hidden = true;
    });
  });

  // Docs: filter the guides as you type.
  document.querySelectorAll("input[data-filter]").forEach((input) => {
    const targets = document.querySelectorAll(input.dataset.filter);
    input.addEventListener("input", () => {
      const query = input.value.trim().toLowerCase();
      targets.forEach((el) => { el.hidden = query !== "" && !el.textContent.toLowerCase().includes(query); });
    });
  });
})();

/**
 * Reference images in the prompt box: pictures pasted or dropped there (or chosen with the paperclip)
 * are shown as removable thumbnails and sent with the next prompt as `images` (base64 PNG, JPEG, GIF
 * or WebP; at most 4, 5 MiB each). The model sees them with the prompt; they do not become files.
 */

import { byId, h } from "./dom.js";
import { icon } from "./icons.js";
import { onLanguageChange, t } from "./i18n.js";
import { toast } from "./toast.js";

const TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
const MAX_IMAGES = 4;
const MAX_BYTES = 5 * 1024 * 1024;

/** @typedef {{media_type: string, data: string, name: string}} Picked */

/** @param {File} file @returns {Promise<string>} the file as a data: URL */
function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener("load", () => resolve(String(reader.result)));
    reader.addEventListener("error", () => reject(reader.error));
    reader.readAsDataURL(file);
  });
}

export function createReferenceImages() {
  const form = byId("composer");
  const box = /** @type {HTMLTextAreaElement} */ (byId("prompt"));
  const strip = h("ul", { class: "reference-strip", id: "reference-strip", role: "list", hidden: true });
  const input = /** @type {HTMLInputElement} */ (
    h("input", { type: "file", accept: TYPES.join(","), multiple: true, hidden: true })
  );
  const attach = h("button", { type: "button", class: "icon-btn", id: "attach-image" }, icon("image", 16));
  form.querySelector(".composer-box")?.prepend(strip);
  byId("send").before(attach, input);
  /** @type {Picked[]} */
  let picked = [];

  function draw() {
    strip.hidden = picked.length === 0;
    strip.replaceChildren(
      ...picked.map((image, index) =>
        h(
          "li",
          { class: "reference-item" },
          h("img", { src: `data:${image.media_type};base64,${image.data}`, alt: image.name }),
          h(
            "button",
            {
              type: "button",
              class: "reference-remove",
              "aria-label": t("references.remove", { name: image.name }),
              title: t("references.remove", { name: image.name }),
              onclick: () => {
                picked = picked.filter((_, i) => i !== index);
                draw();
                box.focus();
              },
            },
            icon("x", 12),
          ),
        ),
      ),
    );
    attach.setAttribute("aria-label", t("references.attach"));
    attach.title = t("references.attach");
  }

  /** @param {File[]} files */
  async function add(files) {
    for (const file of files) {
      if (!TYPES.includes(file.type)) {
        toast(t("references.unsupported", { name: file.name || file.type }), { kind: "error" });
        continue;
      }
      if (file.size > MAX_BYTES) {
        toast(t("references.tooLarge", { name: file.name }), { kind: "error" });
        continue;
      }
      if (picked.length >= MAX_IMAGES) {
        toast(t("references.tooMany", { n: MAX_IMAGES }), { kind: "error" });
        break;
      }
      const url = await readAsDataUrl(file);
      picked.push({ media_type: file.type, data: url.slice(url.indexOf(",") + 1), name: file.name || "image" });
    }
    draw();
  }

  box.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files ?? [])].filter((f) => f.type.startsWith("image/"));
    if (!files.length) return;
    event.preventDefault();
    void add(files);
  });
  form.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    form.classList.add("is-over");
  });
  form.addEventListener("dragleave", (event) => {
    if (event.target === form) form.classList.remove("is-over");
  });
  form.addEventListener("drop", (event) => {
    form.classList.remove("is-over");
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    void add([...event.dataTransfer.files]);
  });
  attach.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    void add([...(input.files ?? [])]);
    input.value = "";
  });
  onLanguageChange(draw);
  draw();

  return {
    /** The pictures to send with the next prompt, without their names. */
    images() {
      return picked.map(({ media_type, data }) => ({ media_type, data }));
    },
    clear() {
      picked = [];
      draw();
    },
  };
}

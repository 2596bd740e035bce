/**
 * Which part of the workspace shows: the stage's tabs (Preview, Code, History) and, on narrow
 * screens, the chat or the stage. The stage switches tabs by itself (to Code when a generation
 * starts, to Preview when it is done) until the reader picks one.
 */

import { byId, selectTab, tablistKeys } from "./dom.js";

/** @typedef {"preview" | "code" | "history" | "assets"} StageTab */

export function createPanes() {
  const workspace = byId("workspace");
  const stageTabs = {
    preview: byId("tab-preview"),
    code: byId("tab-code"),
    history: byId("tab-history"),
    assets: byId("tab-assets"),
  };
  const paneTabs = [byId("pane-tab-chat"), byId("pane-tab-stage")];
  let automatic = true;

  /** @param {StageTab} name */
  function showStage(name) {
    selectTab(Object.values(stageTabs), stageTabs[name]);
  }

  /** @param {"chat" | "stage"} pane */
  function setPane(pane) {
    workspace.dataset.pane = pane;
    for (const tab of paneTabs) {
      const on = tab.dataset.pane === pane;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
  }

  for (const [name, tab] of Object.entries(stageTabs)) {
    tab.addEventListener("click", () => {
      automatic = false;
      showStage(/** @type {StageTab} */ (name));
    });
  }
  tablistKeys(byId("stage-tabs"), (tab) => tab.click());
  for (const tab of paneTabs) {
    tab.addEventListener("click", () => setPane(/** @type {"chat" | "stage"} */ (tab.dataset.pane)));
  }
  tablistKeys(byId("pane-switch"), (tab) => tab.click());

  return {
    /**
     * Show a stage tab.
     * @param {StageTab} name
     * @param {{auto?: boolean}} [options] `auto`: only if the reader has not picked a tab since
     *   `resumeAuto`
     */
    showStage(name, { auto = false } = {}) {
      if (!auto || automatic) showStage(name);
    },
    /** Let the stage switch by itself again (a new generation or project). */
    resumeAuto() {
      automatic = true;
    },
    setPane,
  };
}

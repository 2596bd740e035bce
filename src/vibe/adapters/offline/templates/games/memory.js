(() => {
  "use strict";
  const game = document.querySelector("[data-game=memory]");
  const tiles = [...game.querySelectorAll("[data-tile]")];
  const status = game.querySelector(".game-status");
  const scoreOut = game.querySelector("[data-score]");
  const movesOut = game.querySelector("[data-moves]");
  const SYMBOLS = ["★", "●", "▲", "◆", "♥", "♣"];
  let faces, open, found, moves, busy;

  const show = () => {
    tiles.forEach((tile, i) => {
      const visible = open.includes(i) || found.has(i);
      tile.textContent = visible ? faces[i] : "";
      tile.dataset.open = String(open.includes(i));
      tile.dataset.done = String(found.has(i));
    });
    scoreOut.textContent = String(found.size / 2);
    movesOut.textContent = String(moves);
  };
  const flip = (i) => {
    if (busy || found.has(i) || open.includes(i)) return;
    open.push(i);
    if (open.length === 2) {
      moves += 1;
      const [a, b] = open;
      if (faces[a] === faces[b]) {
        found.add(a);
        found.add(b);
        open = [];
        if (found.size === tiles.length) status.textContent = game.dataset.won;
      } else {
        busy = true;
        setTimeout(() => { open = []; busy = false; show(); }, 700);
      }
    }
    show();
  };
  const reset = () => {
    faces = [...SYMBOLS, ...SYMBOLS];
    for (let i = faces.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [faces[i], faces[j]] = [faces[j], faces[i]];
    }
    open = [];
    found = new Set();
    moves = 0;
    busy = false;
    status.textContent = "";
    show();
  };
  tiles.forEach((tile, i) => tile.addEventListener("click", () => flip(i)));
  game.querySelector("[data-restart]").addEventListener("click", reset);
  reset();
})();

(() => {
  "use strict";
  const game = document.querySelector("[data-game=tictactoe]");
  const cells = [...game.querySelectorAll("[data-cell]")];
  const status = game.querySelector(".game-status");
  const tally = { score: 0, computer: 0, draws: 0 };
  const LINES = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]];
  let board, done;

  const winner = (b) => {
    for (const [a, c, d] of LINES) if (b[a] && b[a] === b[c] && b[a] === b[d]) return b[a];
    return b.every(Boolean) ? "draw" : null;
  };
  const show = () => {
    cells.forEach((cell, i) => { cell.textContent = board[i]; cell.disabled = done || board[i] !== ""; });
    Object.entries(tally).forEach(([key, value]) => { game.querySelector(`[data-${key}]`).textContent = String(value); });
  };
  // The computer wins if it can, blocks if it must, else takes the centre, a corner, then any square.
  const choose = () => {
    for (const mark of ["O", "X"]) {
      for (const line of LINES) {
        const marks = line.map((i) => board[i]);
        if (marks.filter((m) => m === mark).length === 2 && marks.includes("")) return line[marks.indexOf("")];
      }
    }
    return [4, 0, 2, 6, 8, 1, 3, 5, 7].find((i) => board[i] === "");
  };
  const finish = (result) => {
    done = true;
    if (result === "X") { tally.score += 1; status.textContent = game.dataset.won; }
    else if (result === "O") { tally.computer += 1; status.textContent = game.dataset.lost; }
    else { tally.draws += 1; status.textContent = game.dataset.draw; }
  };
  const play = (i) => {
    if (done || board[i]) return;
    board[i] = "X";
    let result = winner(board);
    if (!result) {
      board[choose()] = "O";
      result = winner(board);
    }
    if (result) finish(result);
    show();
  };
  const reset = () => {
    board = Array(9).fill("");
    done = false;
    status.textContent = game.dataset.turn;
    show();
    cells[4].focus();
  };
  cells.forEach((cell, i) => {
    cell.addEventListener("click", () => play(i));
    cell.addEventListener("keydown", (event) => {
      const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -3, ArrowDown: 3 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      cells[(i + moves[event.key] + 9) % 9].focus();
    });
  });
  game.querySelector("[data-restart]").addEventListener("click", reset);
  reset();
})();

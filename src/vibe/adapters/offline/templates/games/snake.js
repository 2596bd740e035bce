(() => {
  "use strict";
  const game = document.querySelector("[data-game=snake]");
  const canvas = game.querySelector("canvas");
  const ctx = canvas.getContext("2d");
  const scoreOut = game.querySelector("[data-score]");
  const bestOut = game.querySelector("[data-best]");
  const status = game.querySelector(".game-status");
  const SIZE = 20;
  const CELL = canvas.width / SIZE;
  const DIRS = { up: [0, -1], down: [0, 1], left: [-1, 0], right: [1, 0] };
  const KEYS = { ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right", w: "up", s: "down", a: "left", d: "right" };
  let snake, dir, next, food, score, best = 0, timer = null, over;

  const colour = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const place = () => {
    let spot;
    do {
      spot = [Math.floor(Math.random() * SIZE), Math.floor(Math.random() * SIZE)];
    } while (snake.some(([x, y]) => x === spot[0] && y === spot[1]));
    return spot;
  };
  const draw = () => {
    ctx.fillStyle = colour("--surface");
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = colour("--accent");
    ctx.beginPath();
    ctx.arc((food[0] + 0.5) * CELL, (food[1] + 0.5) * CELL, CELL / 2.6, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = colour("--button");
    snake.forEach(([x, y]) => ctx.fillRect(x * CELL + 1, y * CELL + 1, CELL - 2, CELL - 2));
    game.dataset.head = snake[0].join(",");
    scoreOut.textContent = String(score);
    bestOut.textContent = String(best);
  };
  const reset = () => {
    clearInterval(timer);
    timer = null;
    snake = [[10, 10], [9, 10], [8, 10]];
    dir = "right";
    next = "right";
    food = place();
    score = 0;
    over = false;
    status.textContent = game.dataset.start;
    draw();
  };
  const step = () => {
    const opposite = DIRS[next][0] === -DIRS[dir][0] && DIRS[next][1] === -DIRS[dir][1];
    if (!opposite) dir = next;
    const head = [snake[0][0] + DIRS[dir][0], snake[0][1] + DIRS[dir][1]];
    const hit = head[0] < 0 || head[1] < 0 || head[0] >= SIZE || head[1] >= SIZE ||
      snake.some(([x, y]) => x === head[0] && y === head[1]);
    if (hit) {
      over = true;
      clearInterval(timer);
      timer = null;
      status.textContent = game.dataset.over;
      return;
    }
    snake.unshift(head);
    if (head[0] === food[0] && head[1] === food[1]) {
      score += 1;
      best = Math.max(best, score);
      food = place();
    } else {
      snake.pop();
    }
    draw();
  };
  const steer = (name) => {
    if (over) return;
    next = name;
    if (!timer) {
      status.textContent = "";
      step();
      timer = setInterval(step, 140);
    }
  };
  document.addEventListener("keydown", (event) => {
    const name = KEYS[event.key] || KEYS[event.key.toLowerCase()];
    if (!name) return;
    event.preventDefault();
    steer(name);
  });
  game.querySelectorAll("[data-dir]").forEach((button) => {
    button.addEventListener("click", () => steer(button.dataset.dir));
  });
  game.querySelector("[data-restart]").addEventListener("click", reset);
  reset();
})();

// The floors of src/ (docs/ARCHITECTURE.md). A module may import its own room and any lower floor;
// never a room on its own floor or above. `npm test` runs this (test/architecture.test.ts).
const floors = [
  ["gen"],
  ["kernel"],
  ["ports", "compiler", "config"],
  ["domain", "stores", "auth"],
  ["cluster", "scheduler"],
  ["services"],
  ["edge"],
  ["plugins"],
  ["compose", "wiring\\.ts"],
  ["server\\.ts"],
  ["cli", "index\\.ts"],
  ["main\\.ts"],
];

const room = (name) => `^src/${name}`;
const forbidden = [
  {
    name: "no-circular",
    severity: "error",
    comment: "No import cycle, between rooms or inside one.",
    from: {},
    to: { circular: true },
  },
];
floors.forEach((rooms, level) => {
  const upper = floors.slice(level).flat();
  for (const name of rooms) {
    const others = upper.filter((n) => n !== name);
    if (others.length === 0) continue;
    forbidden.push({
      name: `floor-${name.replace(/\\\./g, ".")}`,
      severity: "error",
      comment: `src/${name} may import only lower floors and itself.`,
      from: { path: room(name) },
      to: { path: `^src/(${others.join("|")})` },
    });
  }
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/gen/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["es6"],
  },
};

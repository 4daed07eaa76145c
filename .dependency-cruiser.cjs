/**
 * The import-boundary rules (docs/ARCHITECTURE.md, "Layers"), checked by `npm run lint` and by
 * scripts/test.sh: the front ends (cli/, api/) reach the engine through its facade and use
 * nothing below it but core/; nothing imports upward; the registry server stands alone.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'cli-through-engine',
      comment: 'The CLI imports only src/engine, src/core and itself (the registry server command is the registry front end, see below).',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: '^src/cli/commands/registry-server\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(cli|engine|core)/' },
    },
    {
      name: 'registry-server-command',
      comment: "`wharf registry serve` is the registry server's own front end: it may use src/registry/server too.",
      severity: 'error',
      from: { path: '^src/cli/commands/registry-server\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(cli|engine|core|registry/server)/' },
    },
    {
      name: 'api-through-engine',
      comment: 'The Engine API server imports only src/engine, src/core and itself.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/', pathNot: '^src/(api|engine|core)/' },
    },
    {
      name: 'no-front-end-below',
      comment: 'Nothing below the front ends imports them (the builder included).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|api)/' },
      to: { path: '^src/(cli|api)/' },
    },
    {
      name: 'no-engine-below',
      comment: 'The engine is the top of the core: the layers under it do not import it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|api|engine)/' },
      to: { path: '^src/engine/' },
    },
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'registry-server-stands-alone',
      comment: 'The registry server runs on its own: core, content and archive only.',
      severity: 'error',
      from: { path: '^src/registry/server/' },
      to: { path: '^src/', pathNot: '^src/(core|content|archive|registry/server)/' },
    },
    {
      name: 'lower-layers-stay-low',
      comment: 'Stores and codecs (content, metadata, archive, image, snapshot) do not reach up into containers, transport or the builder.',
      severity: 'error',
      from: { path: '^src/(content|metadata|archive|image|snapshot)/' },
      to: { path: '^src/(container|transport|build|registry)/' },
    },
  ],
  options: {
    // Tests may reach across layers to set up what they test.
    exclude: { path: '(^|/)node_modules/|\\.test\\.ts$' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

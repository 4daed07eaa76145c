/**
 * The import-boundary rules (docs/ARCHITECTURE.md, "Layers"), checked by `npm run lint` and by
 * scripts/test.sh: the front ends (cli/, api/) reach the engine through its facade and use
 * nothing below it but core/; nothing imports upward; the registry server stands alone.
 */

/** A rule: modules under `from` (but not `fromNot`) import within src/ only what `allowed` matches. */
const only = (name, comment, from, allowed, fromNot) => ({
  name,
  comment,
  severity: 'error',
  from: fromNot ? { path: from, pathNot: fromNot } : { path: from },
  to: { path: '^src/', pathNot: allowed },
});

/** A rule: modules under `from` (but not `fromNot`) never import what `to` matches. */
const never = (name, comment, from, to, fromNot) => ({
  name,
  comment,
  severity: 'error',
  from: fromNot ? { path: from, pathNot: fromNot } : { path: from },
  to: { path: to },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    only('cli-through-engine', 'The CLI imports only src/engine, src/core and itself.', '^src/cli/', '^src/(cli|engine|core)/', '^src/cli/commands/(registry-server|serve)\\.ts$'),
    only('serve-command', '`wharf serve` is the Engine API server\'s front end: it may start src/api.', '^src/cli/commands/serve\\.ts$', '^src/(cli|engine|core|api)/'),
    only('registry-server-command', "`wharf registry serve` is the registry server's own front end: it may use src/registry/server too.",
      '^src/cli/commands/registry-server\\.ts$', '^src/(cli|engine|core|registry/server)/'),
    only('api-through-engine', 'The Engine API server imports only src/engine, src/core and itself.', '^src/api/', '^src/(api|engine|core)/'),
    never('no-front-end-below', 'Nothing below the front ends imports them (the builder included).', '^src/', '^src/(cli|api)/', '^src/(cli|api)/'),
    never('no-engine-below', 'The engine is the top of the core: the layers under it do not import it.', '^src/', '^src/engine/', '^src/(cli|api|engine)/'),
    only('core-is-the-bottom', 'core/ depends on nothing of ours.', '^src/core/', '^src/core/'),
    only('registry-server-stands-alone', 'The registry server runs on its own: core, content and archive only.', '^src/registry/server/', '^src/(core|content|archive|registry/server)/'),
    never('lower-layers-stay-low', 'Stores and codecs (content, metadata, archive, image, snapshot) do not reach up into containers, transport, the registry client or the builder.',
      '^src/(content|metadata|archive|image|snapshot)/', '^src/(container|transport|build|registry)/'),
  ],
  options: {
    // Tests may reach across layers to set up what they test.
    exclude: { path: '(^|/)node_modules/|\\.test\\.ts$' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

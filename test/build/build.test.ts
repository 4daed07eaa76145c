/**
 * `wharf build` end to end, on the busybox base: the Dockerfiles of the user's notes (2.4),
 * adapted only where they need packages the base lacks, with docker's output, config,
 * history and file results; the cache; failures and their texts.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { wharf, wharfOk, tempDir, WHARF_BIN } from '../helpers/wharf.js';
import { inspectJson } from '../helpers/images.js';
import { build, buildRoot, builtId, context } from './helpers.js';

let root: string;
before(async () => {
  root = await buildRoot();
});

const history = (ref: string) => wharfOk(root, ['history', '--no-trunc', '--format', '{{.CreatedBy}}', ref]).trim().split('\n');
const runIn = (ref: string, cmd: string) => wharfOk(root, ['run', '--rm', '--entrypoint', '/bin/sh', ref, '-c', cmd]);

test("the notes' first Dockerfile (2.4.2): output, config, history, files", () => {
  const dir = context({
    'test.html': 'hello world\n',
    Dockerfile: [
      'FROM bb',
      'MAINTAINER alicek106',
      'LABEL "pupose"="priactice"',
      'RUN echo update',
      'RUN mkdir -p /var/www',
      'ADD test.html /var/www/html',
      'WORKDIR /var/ww/html',
      'RUN ["/bin/sh", "-c", "echo hello >> test2.html"]',
      'EXPOSE 80',
      'CMD apachectl -DFOREGROUND',
      '',
    ].join('\n'),
  });
  const r = build(root, ['-t', 'mybuild:0.0', dir]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split(/\r?\n/).map((l) => l.replace(/\r/g, ''));
  assert.match(lines[0], /^Sending build context to Docker daemon {2}3\.072kB$/);
  assert.equal(lines[1], 'Step 1/10 : FROM bb');
  assert.match(lines[2], /^ ---> [0-9a-f]{12}$/);
  assert.equal(lines[3], 'Step 2/10 : MAINTAINER alicek106');
  assert.match(lines[4], /^ ---> Running in [0-9a-f]{12}$/);
  assert.equal(lines[5], `Removing intermediate container ${lines[4].slice(-12)}`);
  assert.ok(lines.includes('update'), r.stdout);
  const addAt = lines.indexOf('Step 6/10 : ADD test.html /var/www/html');
  assert.match(lines[addAt + 1], /^ ---> [0-9a-f]{12}$/, 'COPY/ADD has no intermediate container');
  assert.equal(lines.at(-2), `Successfully built ${builtId(r)}`);
  assert.equal(lines.at(-1), 'Successfully tagged mybuild:0.0');

  const cfg = inspectJson(root, 'mybuild:0.0') as { Config: Record<string, unknown>; Author: string; Parent: string; ContainerConfig: { Cmd: string[] } };
  assert.deepEqual(cfg.Config.Cmd, ['/bin/sh', '-c', 'apachectl -DFOREGROUND']);
  assert.deepEqual(cfg.Config.ExposedPorts, { '80/tcp': {} });
  assert.deepEqual(cfg.Config.Labels, { pupose: 'priactice' });
  assert.equal(cfg.Config.WorkingDir, '/var/ww/html');
  assert.deepEqual(cfg.Config.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
  assert.equal(cfg.Author, 'alicek106');
  assert.match(cfg.Parent, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(cfg.ContainerConfig.Cmd, ['/bin/sh', '-c', '#(nop) ', 'CMD ["/bin/sh" "-c" "apachectl -DFOREGROUND"]']);
  const h = history('mybuild:0.0');
  assert.equal(h[0], '/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "apachectl -DFOREGROUND"]');
  assert.equal(h[1], '/bin/sh -c #(nop)  EXPOSE 80');
  assert.equal(h[2], '/bin/sh -c echo hello >> test2.html');
  assert.equal(h[3], '/bin/sh -c #(nop) WORKDIR /var/ww/html');
  assert.match(h[4], /^\/bin\/sh -c #\(nop\) ADD file:[0-9a-f]{64} in \/var\/www\/html $/);
  assert.equal(h[7], '/bin/sh -c #(nop)  LABEL pupose=priactice');
  assert.equal(h[8], '/bin/sh -c #(nop)  MAINTAINER alicek106');
  assert.equal(runIn('mybuild:0.0', 'cat /var/www/html; pwd; cat test2.html'), 'hello world\n/var/ww/html\nhello\n');
  // the notes' `docker run -d -P --name myserver mybuild:0.0` needs EXPOSE: -P publishes 80
  const intermediates = wharfOk(root, ['images', '-a', '--format', '{{.Repository}}']).split('\n').filter((l) => l === '<none>');
  assert.ok(intermediates.length >= 8, `intermediate images are kept as <none>: ${intermediates.length}`);

  // 3. the cache: the same build again is all cache hits, --no-cache none
  const again = build(root, ['-t', 'mybuild:0.0', dir]);
  assert.equal(again.stdout.match(/ ---> Using cache/g)?.length, 9, again.stdout);
  assert.equal(builtId(again), builtId(r));
  const fresh = build(root, ['--no-cache', '-t', 'mybuild:0.1', dir]);
  assert.doesNotMatch(fresh.stdout, /Using cache/);
  assert.notEqual(builtId(fresh), builtId(r));
  // one changed file: the steps before it are cached, it and the rest run
  writeFileSync(join(dir, 'test.html'), 'changed\n');
  const changed = build(root, [dir]);
  assert.equal(changed.stdout.match(/ ---> Using cache/g)?.length, 4, changed.stdout);
});

test('ENV, WORKDIR $var, ARG and --build-arg (2.4.4.1), with history as dockerd writes it', () => {
  const dir = context({
    Dockerfile: 'FROM bb\nENV test /home\nWORKDIR $test\nRUN touch $test/mytouchfile\nENV a=${missing:-dflt} b=${test:+set}\nARG my_arg\nARG my_arg2=value2\nRUN touch ${my_arg}/mytouch && echo "$my_arg2"\n',
  });
  const r = build(root, ['--build-arg', 'my_arg=/home', '--build-arg', 'nobody_uses=1', '-t', 'myarg:0.0', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\nvalue2\n/);
  assert.match(r.stdout, /\[Warning\] One or more build-args \[nobody_uses\] were not consumed\n/);
  const cfg = inspectJson(root, 'myarg:0.0') as { Config: { Env: string[]; WorkingDir: string } };
  assert.deepEqual(cfg.Config.Env.slice(1), ['test=/home', 'a=dflt', 'b=set']);
  assert.equal(cfg.Config.WorkingDir, '/home');
  const h = history('myarg:0.0');
  assert.equal(h[0], '|2 my_arg2=value2 my_arg=/home /bin/sh -c touch ${my_arg}/mytouch && echo "$my_arg2"');
  assert.equal(h[1], '/bin/sh -c #(nop)  ARG my_arg2=value2');
  assert.equal(h[2], '/bin/sh -c #(nop)  ARG my_arg');
  assert.equal(h[3], '/bin/sh -c #(nop)  ENV a=dflt b=set');
  assert.equal(runIn('myarg:0.0', 'ls /home; echo $test'), 'mytouch\nmytouchfile\n/home\n');
  // the notes' `ARG my_arg2 = value2` is an error, as with docker
  const bad = build(root, [context({ Dockerfile: 'FROM bb\nARG my_arg2 = value2\n' })]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'Error response from daemon: dockerfile parse error line 2: ARG names can not be blank\n');
});

test('VOLUME, USER, ONBUILD, STOPSIGNAL, HEALTHCHECK, SHELL (2.4.4.2)', () => {
  const dir = context({
    Dockerfile: [
      'FROM bb',
      'VOLUME ["/home/dir", "/home/dir2"]',
      'VOLUME /a /b',
      "RUN echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd",
      'USER app',
      'RUN id -u > /tmp/uid',
      'STOPSIGNAL SIGKILL',
      'HEALTHCHECK --interval=1m --timeout=3s --retries=3 CMD curl -f http://localhost || exit 1',
      'RUN echo hello, node!',
      'SHELL ["/bin/echo"]',
      'RUN -v',
      '',
    ].join('\n'),
  });
  const r = build(root, ['-t', 'misc', dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\nhello, node!\n/);
  assert.match(r.stdout, /Step 11\/11 : RUN -v\n ---> Running in [0-9a-f]{12}\n-v\n/);
  const cfg = inspectJson(root, 'misc') as { Config: Record<string, unknown> };
  assert.deepEqual(cfg.Config.Volumes, { '/a': {}, '/b': {}, '/home/dir': {}, '/home/dir2': {} });
  assert.equal(cfg.Config.User, 'app');
  assert.equal(cfg.Config.StopSignal, 'SIGKILL');
  assert.deepEqual(cfg.Config.Healthcheck, { Test: ['CMD-SHELL', 'curl -f http://localhost || exit 1'], Interval: 60e9, Timeout: 3e9, Retries: 3 });
  assert.deepEqual(cfg.Config.Shell, ['/bin/echo']);
  const h = history('misc');
  assert.equal(h[0], '/bin/echo -v');
  assert.equal(h[1], '/bin/echo #(nop)  SHELL [/bin/echo]');
  assert.equal(h[3], `/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost || exit 1"] "1m0s" "3s" "0s" '\\x03'}`);
  assert.equal(h[8], "/bin/sh -c #(nop)  VOLUME [/a /b]");
  assert.equal(runIn('misc', 'cat /tmp/uid'), '1000\n');
  // ONBUILD: the trigger runs when another build uses the image
  const base = build(root, ['-t', 'onb', context({ Dockerfile: 'FROM bb\nONBUILD RUN echo triggered > /onbuild\n' })]);
  assert.deepEqual((inspectJson(root, 'onb') as { Config: { OnBuild: unknown } }).Config.OnBuild, ['RUN echo triggered > /onbuild']);
  assert.match(history('onb')[0], /^\/bin\/sh -c #\(nop\) {2}ONBUILD RUN echo triggered > \/onbuild$/);
  const child = build(root, ['-t', 'misc-child', context({ Dockerfile: 'FROM onb\nRUN cat /onbuild\n' })]);
  assert.equal(child.code, 0, child.stderr);
  assert.match(child.stdout, /Step 1\/2 : FROM onb\n ---> [0-9a-f]{12}\n# Executing 1 build trigger\n ---> Running in [0-9a-f]{12}\n/);
  assert.match(child.stdout, /\ntriggered\n/);
  assert.equal((inspectJson(root, 'misc-child') as { Config: { OnBuild: unknown } }).Config.OnBuild, null);
});

test('ADD and COPY (2.4.4.3): tar unpacking, JSON form, directories, wildcards, .dockerignore', () => {
  const dir = context({
    'test.html': '<p>t</p>\n',
    'src/a.txt': 'a\n',
    'src/sub/b.txt': 'b\n',
    'x1.md': '1',
    'x2.md': '2',
    'secret.key': 'no',
    'logs/1.log': 'no',
    '.dockerignore': '# comment\n*.key\nlogs\n',
    Dockerfile: 'FROM bb\nCOPY test.html /home/\nCOPY ["test.html", "/home/copy.html"]\nADD test.tar /home\nCOPY src /dst\nCOPY x*.md /md/\nADD --chown=nobody:nogroup test.html /owned\nCOPY --chmod=700 test.html /mode\n',
  });
  const tarDir = tempDir('wharf-build-tar-');
  writeFileSync(join(tarDir, 'in-tar.txt'), 'from the tar\n');
  execFileSync('tar', ['-czf', join(dir, 'test.tar'), '-C', tarDir, 'in-tar.txt']);
  const r = build(root, ['-t', 'files', dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(
    runIn('files', 'cat /home/test.html /home/copy.html /home/in-tar.txt /dst/a.txt /dst/sub/b.txt /md/x1.md /md/x2.md; echo; ls /home; stat -c "%U:%G %a" /owned /mode'),
    '<p>t</p>\n<p>t</p>\nfrom the tar\na\nb\n12\ncopy.html\nin-tar.txt\ntest.html\nnobody:nogroup 644\nroot:root 700\n',
  );
  const missing = build(root, [context({ Dockerfile: 'FROM bb\nCOPY nope /x\n' })]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'COPY failed: file not found in build context or excluded by .dockerignore: stat nope: file does not exist\n');
  const excluded = build(root, [context({ '.dockerignore': 'secret', secret: 's', Dockerfile: 'FROM bb\nCOPY secret /x\n' })]);
  assert.match(excluded.stderr, /^COPY failed: file not found in build context or excluded by \.dockerignore: stat secret: file does not exist\n$/);
  const multi = build(root, [context({ a: '1', b: '2', Dockerfile: 'FROM bb\nCOPY a b /x\n' })]);
  assert.equal(multi.stderr, 'When using COPY with more than one source file, the destination must be a directory and end with a /\n');
});

test('ENTRYPOINT and CMD (2.4.4.4): the script image, shell vs JSON forms', () => {
  const dir = context({
    'entrypoint.sh': 'echo "I am entrypoint, args: $@"\n',
    Dockerfile: 'FROM bb\nADD entrypoint.sh /entrypoint.sh\nRUN chmod +x /entrypoint.sh\nENTRYPOINT ["/bin/sh", "/entrypoint.sh"]\n',
  });
  const r = build(root, ['-t', 'ep', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(wharfOk(root, ['run', '--rm', 'ep', 'one', 'two']), 'I am entrypoint, args: one two\n');
  const shellForm = build(root, ['-t', 'ep-shell', context({ Dockerfile: 'FROM bb\nCMD ["x"]\nENTRYPOINT echo hi\n' })]);
  assert.equal(shellForm.code, 0, shellForm.stderr);
  const cfg = inspectJson(root, 'ep-shell') as { Config: { Entrypoint: string[]; Cmd: unknown } };
  assert.deepEqual(cfg.Config.Entrypoint, ['/bin/sh', '-c', 'echo hi']);
  assert.deepEqual(cfg.Config.Cmd, ['x'], 'a CMD before ENTRYPOINT in the same Dockerfile stays');
});

test('multi-stage (2.4.3.2 4.): COPY --from=0 and by name, --target, unused stages skipped', () => {
  const dir = context({
    'main.go': 'package main\n',
    Dockerfile: [
      'FROM bb',
      'ADD main.go /root',
      'WORKDIR /root',
      'run echo compiled > /root/mainApp && chmod +x /root/mainApp',
      '',
      'FROM bb AS unused',
      'RUN echo should not run',
      '',
      'FROM bb',
      'WORKDIR /root',
      'COPY --from=0 /root/mainApp .',
      'CMD ["./mainApp"]',
      '',
    ].join('\n'),
  });
  const r = build(root, ['-t', 'multi', dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Skipping stage 1 \(unused\): not needed for the target\n/);
  assert.doesNotMatch(r.stdout, /should not run/);
  assert.equal(runIn('multi', 'cat /root/mainApp; ls /root'), 'compiled\nmainApp\n');
  const t = build(root, ['--target', 'unused', '-t', 'multi-unused', dir]);
  assert.match(t.stdout, /\nshould not run\n/);
  const noTarget = build(root, ['--target', 'nope', dir]);
  assert.equal(noTarget.stderr, 'failed to reach build target nope in Dockerfile\n');
  // the notes' `CMD["./mainApp"]` (no space) is an unknown instruction, as docker says
  const typo = build(root, [context({ Dockerfile: 'FROM bb\nCMD["./mainApp"]\n' })]);
  assert.equal(typo.stderr, 'Error response from daemon: dockerfile parse error line 2: unknown instruction: CMD["./MAINAPP"]\n');
});

test('a failing step: the build stops, the last good step is an untagged image, rmi removes it', () => {
  const dir = context({ Dockerfile: 'FROM bb\nRUN echo before\nRUN echo oops >&2; exit 3\nRUN echo never\n' });
  const r = build(root, ['-t', 'broken', dir]);
  assert.equal(r.code, 3);
  assert.equal(r.stderr, "The command '/bin/sh -c echo oops >&2; exit 3' returned a non-zero code: 3\n");
  assert.match(r.stdout, /\x1b\[91moops\n\x1b\[0m/);
  assert.doesNotMatch(r.stdout, /never/);
  assert.equal(wharf(root, ['image', 'inspect', 'broken']).code, 1);
  const last = /Step 2\/4 : RUN echo before\n ---> Running in \w+\nbefore\nRemoving intermediate container \w+\n ---> ([0-9a-f]{12})/.exec(r.stdout)![1];
  assert.equal(wharfOk(root, ['images', '-a', '--format', '{{.ID}} {{.Repository}}']).includes(`${last} <none>`), true);
  // the failing step's container is left behind, stopped, as docker leaves it
  const failed = /Step 3\/4 : RUN echo oops >&2; exit 3\n ---> Running in ([0-9a-f]{12})\n/.exec(r.stdout)![1];
  assert.match(wharfOk(root, ['ps', '-a', '--format', '{{.ID}} {{.Status}}']), new RegExp(`^${failed} Exited \\(3\\) `, 'm'));
  assert.match(wharfOk(root, ['logs', failed]), /^$/);
  wharfOk(root, ['rm', failed]);
  const forced = build(root, ['--force-rm', dir]);
  assert.equal(forced.code, 3);
  assert.equal(wharfOk(root, ['ps', '-a', '-q']), '');
  assert.match(wharfOk(root, ['rmi', last]), /Deleted: sha256:/);
});

test('context from stdin: a Dockerfile alone, a gzip tar; -f, -q and --iidfile', () => {
  const alone = build(root, ['-q', '-'], { input: 'FROM bb\nRUN echo quiet\n' });
  assert.equal(alone.code, 0, alone.stderr);
  assert.match(alone.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const dir = context({ 'f.txt': 'in tar\n', 'build/Other.Dockerfile': 'FROM bb\nCOPY f.txt /f\n' });
  const tgz = join(tempDir(), 'ctx.tgz');
  execFileSync('tar', ['-czf', tgz, '-C', dir, '.']);
  const iid = join(tempDir(), 'iid');
  const fromTar = build(root, ['-f', 'build/Other.Dockerfile', '--iidfile', iid, '-t', 'fromtar', '-'], { input: readFileSync(tgz) });
  assert.equal(fromTar.code, 0, fromTar.stderr);
  assert.ok(existsSync(iid));
  assert.equal(readFileSync(iid, 'utf8'), (inspectJson(root, 'fromtar') as { Id: string }).Id);
  assert.equal(runIn('fromtar', 'cat /f'), 'in tar\n');
  const outside = build(root, ['-f', join(dir, 'build/Other.Dockerfile'), dir]);
  assert.equal(outside.code, 0, outside.stderr);
});

test('bad input: missing Dockerfile, empty Dockerfile, parse errors, leave nothing behind', () => {
  const before = wharfOk(root, ['images', '-a', '-q']);
  const empty = context({});
  assert.match(build(root, [empty]).stderr, /unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat .*\/Dockerfile: no such file or directory/);
  assert.equal(build(root, [context({ Dockerfile: '' })]).stderr, 'Error response from daemon: the Dockerfile (Dockerfile) cannot be empty\n');
  assert.equal(build(root, [context({ Dockerfile: 'FROM bb\nform x\n' })]).stderr, 'Error response from daemon: dockerfile parse error line 2: unknown instruction: FORM\n');
  assert.equal(build(root, [context({ Dockerfile: 'FROM bb\nENV x=${y:?must_be_set}\n' })]).stderr, 'failed to process "${y:?must_be_set}": y: must_be_set\n');
  assert.equal(wharfOk(root, ['images', '-a', '-q']), before);
});

test('SIGTERM mid-RUN: the step is killed, nothing is left mounted, running or on disk; the cache stays usable', async () => {
  const dir = context({ Dockerfile: 'FROM bb\nRUN echo cached\nRUN echo start; sleep 60\n' });
  const child = spawn(WHARF_BIN, ['--root', root, 'build', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  while (!out.includes('start\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(out.includes('start\n'), out);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 143);
  assert.deepEqual(readdirSync(join(root, 'containers')).filter((n) => n.startsWith('build-')), []);
  assert.doesNotMatch(readFileSync('/proc/mounts', 'utf8'), new RegExp(root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.doesNotMatch(execFileSync('runc', ['--root', '/run/wharf/runc', 'list', '-q']).toString(), /^build-/m);
  const again = build(root, ['--no-cache', context({ Dockerfile: 'FROM bb\nRUN echo cached\n' })]);
  assert.equal(again.code, 0, again.stderr);
});

test('layer waste (2.4.5): reported at the end of the build, gone with && or --squash', () => {
  const wasteful = context({ Dockerfile: 'FROM bb\nRUN mkdir /test\nRUN dd if=/dev/zero of=/test/dummy bs=1024 count=1024 2>/dev/null\nRUN rm /test/dummy\n' });
  const r = build(root, ['-t', 'waste', wasteful]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\n\[Warning\] Layer waste: 1\.049MB added by "\/bin\/sh -c dd if=\/dev\/zero of=\/test\/dummy bs=1024 count=1024 2>\/dev\/null" is deleted or overwritten by a later step; do both in one RUN \(or build with --squash\)\nSuccessfully built/);
  const base = (inspectJson(root, 'bb') as { Size: number }).Size;
  assert.equal((inspectJson(root, 'waste') as { Size: number }).Size, base + 1024 * 1024);
  const merged = build(root, ['-t', 'waste-merged', context({ Dockerfile: 'FROM bb\nRUN mkdir /test && \\\n    dd if=/dev/zero of=/test/dummy bs=1024 count=1024 2>/dev/null && \\\n    rm /test/dummy\n' })]);
  assert.doesNotMatch(merged.stdout, /Layer waste/);
  assert.equal((inspectJson(root, 'waste-merged') as { Size: number }).Size, base);
  const squashed = build(root, ['--squash', '-t', 'waste-squashed', wasteful]);
  assert.equal(squashed.code, 0, squashed.stderr);
  const sq = inspectJson(root, 'waste-squashed') as { Size: number; RootFS: { Layers: string[] } };
  assert.equal(sq.Size, base);
  assert.equal(sq.RootFS.Layers.length, 2);
  assert.equal(runIn('waste-squashed', 'ls -A /test; echo end'), 'end\n');
  const h = wharfOk(root, ['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', 'waste-squashed']).trim().split('\n');
  assert.equal(h.length, 5);
  assert.match(h[0], /^\|merge sha256:[0-9a-f]{64} to sha256:[0-9a-f]{64}$/);
  assert.equal(h[1], '/bin/sh -c rm /test/dummy|');
});

test('SOURCE_DATE_EPOCH: the same Dockerfile and context build the same image ID on two data roots', async () => {
  const other = tempDir('wharf-build-root2-');
  const saved = join(tempDir(), 'bb.tar');
  wharfOk(root, ['save', '-o', saved, 'bb']);
  wharfOk(other, ['load', '-i', saved]);
  const files = { f: 'same\n', Dockerfile: 'FROM bb\nENV A=1\nRUN echo x > /x && mkdir -p /d/e\nCOPY f /d/\nWORKDIR /w\nCMD ["sh"]\n' };
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  const a = build(root, ['-q', context(files)], { env });
  await new Promise((r) => setTimeout(r, 1100)); // other mtimes, other second
  const b = build(other, ['-q', context(files)], { env });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.equal((inspectJson(root, a.stdout.trim()) as { Created: string }).Created, '2023-11-14T22:13:20Z');
  const c = build(root, ['-q', '--no-cache', context(files)]);
  assert.notEqual(c.stdout, a.stdout, 'without the epoch, times differ');
});

test('--cache-from: an image built on another data root (saved and loaded) turns the same build into cache hits', () => {
  const other = tempDir('wharf-build-root3-');
  const saved = join(tempDir(), 'bb.tar');
  wharfOk(root, ['save', '-o', saved, 'bb']);
  wharfOk(other, ['load', '-i', saved]);
  const dir = context({ f: 'f\n', Dockerfile: 'FROM bb\nRUN echo one > /one\nENV X=1\nCOPY f /f\nRUN echo two\n' });
  const first = build(other, ['-t', 'cached:1', dir]);
  assert.equal(first.code, 0, first.stderr);
  const img = join(tempDir(), 'cached.tar');
  wharfOk(other, ['save', '-o', img, 'cached:1']);
  wharfOk(root, ['load', '-i', img]);
  const plain = build(root, [context({ f: 'f\n', Dockerfile: 'FROM bb\nRUN echo other > /one\n' })]);
  assert.doesNotMatch(plain.stdout, /Using cache/, 'without --cache-from, nothing here matches');
  const withCache = build(root, ['--cache-from', 'cached:1', '-t', 'from-cache', dir]);
  assert.equal(withCache.stdout.match(/ ---> Using cache/g)?.length, 4, withCache.stdout);
  assert.equal(builtId(withCache), builtId(first));
  assert.doesNotMatch(withCache.stdout, /\ntwo\n/);
});

test('--platform naming another architecture is refused; the host platform is accepted', () => {
  const dir = context({ Dockerfile: 'FROM bb\nRUN true\n' });
  const other = process.arch === 'arm64' ? 'linux/amd64' : 'linux/arm64';
  const r = build(root, ['--platform', other, dir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^image with reference bb was found but does not match the specified platform: wanted ${other}, actual: linux/`));
  const host = build(root, ['--platform', `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`, dir]);
  assert.equal(host.code, 0, host.stderr);
});

test("BuildKit's NAME.dockerignore beside a named Dockerfile wins over .dockerignore", () => {
  const dir = context({ a: 'a', b: 'b', '.dockerignore': 'a\n', 'sub/app.Dockerfile.dockerignore': 'b\n', 'sub/app.Dockerfile': 'FROM bb\nCOPY . /ctx\n' });
  const r = build(root, ['-f', join(dir, 'sub/app.Dockerfile'), '-t', 'ignore-named', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(runIn('ignore-named', 'ls -A /ctx | tr "\\n" " "'), '.dockerignore a sub ');
});

/**
 * The same Dockerfiles built by wharf and by dockerd's classic builder (a private dockerd,
 * DOCKER_BUILDKIT=0), from the same busybox base and context: config, container config,
 * history (created_by, empty_layer), layer count and the files of the result must agree
 * (COPY/ADD content hashes aside: dockerd's tarsum is its own). A wharf-built image saved
 * with `wharf save` loads into docker and runs there.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wharf, wharfOk, tempDir } from '../helpers/wharf.js';
import { startDockerd, type Dockerd } from '../helpers/dockerd.js';
import { busybox } from '../helpers/images.js';
import { readTar } from '../../src/archive/tar-reader.js';
import { context } from './helpers.js';

process.env.DOCKER_BUILDKIT = '0';

const DOCKERFILES: Record<string, string> = {
  notes242: 'FROM bb\nMAINTAINER alicek106\nLABEL "pupose"="priactice"\nRUN echo update\nRUN mkdir -p /var/www\nADD test.html /var/www/html\nWORKDIR /var/ww/html\nRUN ["/bin/sh", "-c", "echo hello >> test2.html"]\nEXPOSE 80\nCMD apachectl -DFOREGROUND\n',
  env: 'FROM bb\nENV test /home\nWORKDIR $test\nRUN touch $test/mytouchfile\nENV a=b c="d e" d=${test:+x}\nARG my_arg\nARG my_arg2=value2\nRUN touch ${my_arg}/mytouch\nUSER nobody\n',
  misc: 'FROM bb\nVOLUME ["/home/dir", "/home/dir2"]\nVOLUME /a /b\nSTOPSIGNAL SIGINT\nHEALTHCHECK --interval=1m --timeout=3s --retries=3 CMD curl -f http://localhost || exit 1\nONBUILD RUN echo onbuild\nSHELL ["/bin/sh", "-xc"]\nRUN echo hi\nENTRYPOINT ["/bin/sh"]\nCMD ls -l\nEXPOSE 80/udp 8000-8001\n',
  copy: 'FROM bb\nCOPY test.html /home/\nCOPY ["test.html", "/home/copy.html"]\nCOPY dir /dst\nCOPY dir/ /dst2/\nADD test.tar /home\nCOPY --chown=nobody:nogroup test.html /owned\nWORKDIR /w\nCOPY test.html rel\n',
  waste: 'FROM bb\nRUN mkdir /test\nRUN dd if=/dev/zero of=/test/dummy bs=1024 count=512 2>/dev/null\nRUN rm /test/dummy\n',
  multi: 'FROM bb\nADD test.html /root\nWORKDIR /root\nRUN cp /root/test.html /root/mainApp\nFROM bb\nWORKDIR /root\nCOPY --from=0 /root/mainApp .\nCMD ["./mainApp"]\n',
};

const hashRe = /(file|dir|multi):[0-9a-f]{64}/g;
const norm = (s: string) => s.replace(hashRe, '$1:HASH');

interface Inspect {
  Config: Record<string, unknown>;
  ContainerConfig: { Cmd: string[] };
  RootFS: { Layers: string[] };
  Author: string;
}

/** path type mode uid:gid size of every entry of an exported container filesystem. */
async function treeOf(tar: Buffer): Promise<string[]> {
  const out: string[] = [];
  // `.done` is the init layer's own marker, which wharf's snapshotter shows in containers (not the builder's).
  const skip = /^(\.done|\.dockerenv|etc\/(hosts|hostname|resolv\.conf|mtab)|dev\/.+|proc\/.+|sys\/.+)$/;
  for await (const { header, body } of readTar((async function* () { yield tar; })())) {
    body.resume();
    const name = header.name.replace(/^\.?\//, '').replace(/\/$/, '');
    if (!name || skip.test(name)) continue;
    out.push(`${name} ${header.type} ${header.mode.toString(8)} ${header.uid}:${header.gid} ${header.type === 'file' ? header.size : ''} ${header.linkname}`);
  }
  return out.sort();
}

describe('wharf build and the classic builder agree', () => {
  let d: Dockerd | string;
  let root: string;
  let ctx: string;
  before(async () => {
    d = await startDockerd();
    root = tempDir('wharf-build-interop-');
    wharfOk(root, ['import', await busybox(), 'bb']);
    if (typeof d !== 'string') d.docker(['import', await busybox(), 'bb']);
    ctx = context({ 'test.html': '<p>hi</p>\n', 'dir/a': 'a\n', 'dir/sub/b': 'b\n' });
    const src = tempDir();
    execFileSync('sh', ['-c', `echo in-tar > ${src}/t.txt && mkdir ${src}/d && echo x > ${src}/d/x && tar -czf ${ctx}/test.tar -C ${src} t.txt d`]);
  });
  after(async () => {
    if (typeof d !== 'string') await d.stop();
  });

  for (const [name, dockerfile] of Object.entries(DOCKERFILES)) {
    test(name, async (t) => {
      if (typeof d === 'string') return t.skip(d);
      const dk = d;
      const file = join(ctx, `${name}.Dockerfile`);
      execFileSync('sh', ['-c', `cat > ${file}`], { input: dockerfile });
      const args = ['build', '--build-arg', 'my_arg=/home', '-f', file, '-t', `bi-${name}`, ctx];
      const w = wharf(root, args);
      assert.equal(w.code, 0, w.stdout + w.stderr);
      // wharf's own addition (the notes' 2.4.5 pitfall, reported) is not docker's
      w.stdout = w.stdout.replace(/^\[Warning\] Layer waste: .*\n/gm, '');
      const k = dk.docker(args);
      assert.equal(k.code, 0, k.stdout + k.stderr);
      // The output's shape: the same lines once IDs are masked.
      const mask = (s: string) => s.replace(/[0-9a-f]{12}/g, 'ID').replace(/\r/g, '');
      // (a RUN's stdout and stderr come through two pipes: their interleaving is a race)
      const steps = (o: string) => mask(o).split('\n').filter((l) => /^(Step|Successfully| --->)/.test(l));
      assert.deepEqual(steps(w.stdout), steps(k.stdout));
      const plain = (o: string) => mask(o).replace(/\x1b\[(91|0)m/g, '').split('\n').sort();
      assert.deepEqual(plain(w.stdout), plain(k.stdout));
      const wi = JSON.parse(wharfOk(root, ['image', 'inspect', `bi-${name}`]))[0] as Inspect;
      const ki = JSON.parse(dk.docker(['image', 'inspect', `bi-${name}`]).stdout)[0] as Inspect;
      const cfg = (c: Record<string, unknown>) => ({ ...c, Hostname: '', Image: '' });
      assert.deepEqual(cfg(wi.Config), cfg(ki.Config));
      assert.deepEqual(wi.ContainerConfig.Cmd.map(norm), ki.ContainerConfig.Cmd.map(norm));
      assert.equal(wi.Author, ki.Author);
      assert.equal(wi.RootFS.Layers.length, ki.RootFS.Layers.length);
      const hist = (out: string) => out.trim().split('\n').map(norm);
      const fmt = ['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Size}}', `bi-${name}`];
      assert.deepEqual(hist(wharfOk(root, fmt)), hist(dk.docker(fmt).stdout));
      // Files: the export of a container of each image.
      const wc = wharfOk(root, ['create', `bi-${name}`, 'x']).trim();
      const kc = dk.docker(['create', `bi-${name}`, 'x']).stdout.trim();
      const wtar = join(tempDir(), 'w.tar');
      const ktar = join(tempDir(), 'k.tar');
      wharfOk(root, ['export', '-o', wtar, wc]);
      assert.equal(dk.docker(['export', '-o', ktar, kc]).code, 0);
      assert.deepEqual(await treeOf(readFileSync(wtar)), await treeOf(readFileSync(ktar)));
    });
  }

  test('wharf save | docker load: a wharf-built image runs under docker', async (t) => {
    if (typeof d === 'string') return t.skip(d);
    const c = context({ 'hello.sh': 'echo "built by wharf: $1"\n', Dockerfile: 'FROM bb\nCOPY hello.sh /hello.sh\nRUN chmod +x /hello.sh\nENTRYPOINT ["/bin/sh", "/hello.sh"]\nCMD ["default"]\n' });
    const w = wharf(root, ['build', '-t', 'bi-saved', c]);
    assert.equal(w.code, 0, w.stderr);
    const tar = join(tempDir(), 's.tar');
    wharfOk(root, ['save', '-o', tar, 'bi-saved']);
    const loaded = d.docker(['load', '-i', tar]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(d.docker(['run', '--rm', '--network', 'none', 'bi-saved']).stdout, 'built by wharf: default\n');
    assert.equal(d.docker(['run', '--rm', '--network', 'none', 'bi-saved', 'arg']).stdout, 'built by wharf: arg\n');
  });
});

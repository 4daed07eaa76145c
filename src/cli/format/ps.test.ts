// Expected strings are `docker ps --format '{{.Ports}}'` of docker 20.10 for the same flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayablePorts } from './ps.js';

const exposed = (privatePort: number, type = 'tcp') => ({ PrivatePort: privatePort, Type: type });
const mapped = (ip: string, publicPort: number, privatePort: number, type = 'tcp') => ({ IP: ip, PrivatePort: privatePort, PublicPort: publicPort, Type: type });
const both = (publicPort: number, privatePort: number, type = 'tcp') => [mapped('0.0.0.0', publicPort, privatePort, type), mapped('::', publicPort, privatePort, type)];

test("docker's PORTS column: sorted, consecutive self-mapped ports folded, other mappings last", () => {
  // --expose 80 --expose 81 -p 25000:25000 -p 25001:25001 -p 127.0.0.1:27000:27000 -p 28000:80
  const a = [...both(28000, 80), exposed(81), ...both(25001, 25001), mapped('127.0.0.1', 27000, 27000), ...both(25000, 25000)];
  assert.equal(
    displayablePorts(a),
    '81/tcp, 0.0.0.0:25000-25001->25000-25001/tcp, [::]:25000-25001->25000-25001/tcp, 127.0.0.1:27000->27000/tcp, 0.0.0.0:28000->80/tcp, [::]:28000->80/tcp',
  );
  // -p 25000:25000/udp -p 25001:25001 -p 25003:25003 --expose 9000-9002
  const b = [...both(25000, 25000, 'udp'), ...both(25001, 25001), ...both(25003, 25003), exposed(9000), exposed(9001), exposed(9002)];
  assert.equal(
    displayablePorts(b),
    '0.0.0.0:25001->25001/tcp, [::]:25001->25001/tcp, 9000-9002/tcp, 0.0.0.0:25000->25000/udp, [::]:25000->25000/udp, 0.0.0.0:25003->25003/tcp, [::]:25003->25003/tcp',
  );
  assert.equal(displayablePorts([...both(32769, 80), ...both(32768, 443)]), '0.0.0.0:32769->80/tcp, [::]:32769->80/tcp, 0.0.0.0:32768->443/tcp, [::]:32768->443/tcp');
  assert.equal(displayablePorts([]), '');
});

/**
 * The name-resolution files Docker generates for a container: /etc/hosts (libnetwork etchosts:
 * defaults, then --add-host entries, then the container's own address) and /etc/resolv.conf
 * (the host's file, with localhost nameservers dropped when the container has its own netns).
 */
import { invalidArgument } from '../../../core/errors.js';

const defaultHosts: [string, string][] = [
  ['127.0.0.1', 'localhost'],
  ['::1', 'localhost ip6-localhost ip6-loopback'],
  ['fe00::0', 'ip6-localnet'],
  ['ff00::0', 'ip6-mcastprefix'],
  ['ff02::1', 'ip6-allnodes'],
  ['ff02::2', 'ip6-allrouters'],
];

/** Split an `--add-host NAME:IP` entry (the IP may itself contain colons). */
export function parseExtraHost(entry: string): [host: string, ip: string] {
  const sep = entry.indexOf(':');
  if (sep <= 0 || sep === entry.length - 1) throw invalidArgument(`bad format for add-host: "${entry}"`, { exitCode: 125 });
  return [entry.slice(0, sep), entry.slice(sep + 1)];
}

export interface HostsFileOptions {
  hostname: string;
  /** The container's address; omitted for none mode (and host mode). */
  ip?: string;
  /** Domain name appended to the hostname for the FQDN, as `--domainname` does. */
  domainname?: string;
  extraHosts?: string[];
  /**
   * Host mode: the host's /etc/hosts text. Docker copies it verbatim unless --add-host
   * entries are given, in which case it builds the usual file.
   */
  hostHostsFile?: string;
}

/** Docker's /etc/hosts for a container. */
export function generateHostsFile(opts: HostsFileOptions): string {
  const extra = (opts.extraHosts ?? []).map(parseExtraHost);
  if (opts.hostHostsFile !== undefined && extra.length === 0) return opts.hostHostsFile;
  const lines = defaultHosts.map(([ip, names]) => `${ip}\t${names}`);
  for (const [host, ip] of extra) lines.push(`${ip}\t${host}`);
  if (opts.ip) {
    const fqdn = opts.domainname ? `${opts.hostname}.${opts.domainname}` : opts.hostname;
    const dot = fqdn.indexOf('.');
    lines.push(`${opts.ip}\t${fqdn}${dot > 0 ? ` ${fqdn.slice(0, dot)}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

const localhostNameserver = /^\s*nameserver\s+((127\.\d{1,3}\.\d{1,3}\.\d{1,3})|(::1))\s*$/;
const ipv6Nameserver = /^\s*nameserver\s+\S*:\S*\s*$/;
const anyNameserver = /^\s*nameserver\s+\S+/;

/** Text-only fallback nameservers, exactly as Docker writes them (wharf never contacts them). */
const fallbackIPv4 = ['nameserver 8.8.8.8', 'nameserver 8.8.4.4'];

/**
 * Docker's /etc/resolv.conf rules. host mode: the host's file unchanged. bridge and none:
 * localhost nameservers are unreachable from the container's netns, so they are dropped
 * (bridge also drops IPv6 nameservers, IPv6 being off on the bridge); when no nameserver is
 * left, Docker's default public servers are appended as text.
 */
/** `--dns`, `--dns-search`, `--dns-option`: each replaces what the host's file says of it. */
export interface DnsOverrides {
  servers?: string[];
  search?: string[];
  options?: string[];
}

export function generateResolvConf(hostResolvConf: string, mode: 'bridge' | 'host' | 'none', dns: DnsOverrides = {}): string {
  if (dns.servers?.length || dns.search?.length || dns.options?.length) return withOverrides(hostResolvConf, dns);
  if (mode === 'host') return hostResolvConf;
  const kept = hostResolvConf
    .split('\n')
    .filter((line) => !localhostNameserver.test(line) && !(mode === 'bridge' && ipv6Nameserver.test(line)));
  let text = kept.join('\n');
  if (!kept.some((line) => anyNameserver.test(line))) {
    text += '\n' + fallbackIPv4.join('\n');
    if (!text.endsWith('\n')) text += '\n';
  }
  return text;
}

/** docker's file when any DNS flag is given: search, nameservers, options, each from the flag or the host. */
function withOverrides(host: string, dns: DnsOverrides): string {
  const hostLines = (key: string) => host.split('\n').filter((l) => l.startsWith(`${key} `) || l.startsWith(`${key}\t`));
  const values = (key: string) => hostLines(key).flatMap((l) => l.trim().split(/\s+/).slice(1));
  const search = dns.search?.length ? dns.search : values('search');
  const servers = dns.servers?.length ? dns.servers : values('nameserver').filter((s) => !localhostNameserver.test(`nameserver ${s}`));
  const options = dns.options?.length ? dns.options : values('options');
  const lines = [...(search.length ? [`search ${search.join(' ')}`] : []), ...servers.map((s) => `nameserver ${s}`), ...(options.length ? [`options ${options.join(' ')}`] : [])];
  return lines.join('\n') + '\n';
}

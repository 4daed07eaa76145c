/**
 * The seccomp filter of a container, and `--security-opt`. docker confines every container
 * with its default profile unless `--security-opt seccomp=unconfined`. That profile is a long
 * allowlist whose effect, for a container with docker's default capabilities, is to refuse
 * (EPERM) the system calls docker documents as blocked: module, clock, mount, keyring, swap,
 * reboot and tracing calls, namespace creation (`unshare`, `setns`, `clone` with CLONE_NEW*
 * flags), and a few more. This filter refuses the same set by name and allows the rest; clone3
 * gets ENOSYS, as with docker, so libc falls back to clone, whose flags can be checked.
 */
import { WharfError } from '../../core/errors.js';

const BLOCKED = [
  'acct', 'add_key', 'bpf', 'clock_adjtime', 'clock_settime', 'create_module', 'delete_module', 'finit_module',
  'fsconfig', 'fsmount', 'fsopen', 'fspick', 'get_kernel_syms', 'get_mempolicy', 'init_module', 'ioperm', 'iopl',
  'kcmp', 'kexec_file_load', 'kexec_load', 'keyctl', 'lookup_dcookie', 'mbind', 'mount', 'move_mount', 'move_pages',
  'name_to_handle_at', 'nfsservctl', 'open_by_handle_at', 'open_tree', 'perf_event_open', 'pivot_root',
  'process_vm_readv', 'process_vm_writev', 'query_module', 'quotactl', 'reboot', 'request_key', 'set_mempolicy',
  'setns', 'settimeofday', 'stime', 'swapoff', 'swapon', 'sysfs', '_sysctl', 'umount', 'umount2', 'unshare',
  'uselib', 'userfaultfd', 'ustat', 'vm86', 'vm86old',
];

/** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
const CLONE_NEW_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

const EPERM = 1;
const ENOSYS = 38;

/** The architectures a process of this host may call in (a 64-bit host runs 32-bit code too). */
function architectures(): string[] {
  if (process.arch === 'x64') return ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
  if (process.arch === 'arm64') return ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'];
  return [];
}

/** The OCI `linux.seccomp` section. */
export function defaultSeccomp(): Record<string, unknown> {
  const refuse = (names: string[], errnoRet = EPERM) => ({ names, action: 'SCMP_ACT_ERRNO', errnoRet });
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: architectures(),
    syscalls: [
      refuse(BLOCKED),
      // One rule per flag: rules for one call are alternatives, the conditions of a rule all hold.
      ...CLONE_NEW_FLAGS.map((flag) => ({ ...refuse(['clone']), args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }] })),
      refuse(['clone3'], ENOSYS),
    ],
  };
}

export interface SecurityOptions {
  seccomp: boolean;
  noNewPrivileges: boolean;
}

/** `--security-opt` values (docker's forms), as stored in HostConfig.SecurityOpt. */
export function parseSecurityOpts(opts: readonly string[]): SecurityOptions {
  const out: SecurityOptions = { seccomp: true, noNewPrivileges: false };
  for (const opt of opts) {
    const eq = opt.indexOf('=');
    const [key, value] = eq < 0 ? [opt, ''] : [opt.slice(0, eq), opt.slice(eq + 1)];
    if (key === 'no-new-privileges' && (value === '' || value === 'true' || value === 'false')) out.noNewPrivileges = value !== 'false';
    else if (key === 'seccomp' && value === 'unconfined') out.seccomp = false;
    else if (key === 'seccomp' && value) {
      throw new WharfError('UNSUPPORTED', `custom seccomp profiles are not supported: ${value} (only seccomp=unconfined)`, { exitCode: 125 });
    } else if ((key === 'apparmor' || key === 'label') && value) continue; // no AppArmor or SELinux here: nothing to apply
    else throw new WharfError('INVALID_ARGUMENT', `Invalid --security-opt: ${JSON.stringify(opt)}`, { exitCode: 125 });
  }
  return out;
}

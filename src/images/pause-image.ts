// SPDX-License-Identifier: Apache-2.0
/**
 * Skiff's pause image: the process that holds a pod's namespaces. Like the
 * upstream pause (kubernetes/build/pause/linux/pause.c) it sleeps in pause(2),
 * exits 0 on SIGTERM or SIGINT, and reaps zombies on SIGCHLD (which matters
 * when the pod shares one PID namespace). The binary is a ~300-byte static
 * x86-64 ELF assembled here byte by byte, so the image needs nothing from the host.
 */
import { buildImage } from './oci-image.js';

/** PAUSE_IMAGE is the reference of Skiff's pause image; containerd's sandbox_image points at it. */
export const PAUSE_IMAGE = 'localhost/skiff/pause:1.0';

// Linux x86-64 syscall numbers and flags.
const SYS = { rt_sigreturn: 15, rt_sigaction: 13, pause: 34, wait4: 61, exit_group: 231 } as const;
const SIGINT = 2;
const SIGTERM = 15;
const SIGCHLD = 17;
const WNOHANG = 1;
const SA_NOCLDSTOP = 0x1;
// x86-64 kernels return from a handler through sa_restorer; without SA_RESTORER the
// first signal delivery faults (SIGSEGV) instead of running the handler.
const SA_RESTORER = 0x04000000;

const LOAD_ADDRESS = 0x400000;
const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;
const CODE_OFFSET = ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE;

// An instruction is a fixed number of bytes, some of which depend on label addresses.
type Instr =
  | { size: number; emit: (at: number, label: (name: string) => number) => number[] }
  | { label: string }
  | { align: number };

const i32 = (n: number): number[] => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return [...b];
};
const u64 = (n: number): number[] => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return [...b];
};
const fixed = (...bytes: number[]): Instr => ({ size: bytes.length, emit: () => bytes });
const movEax = (n: number) => fixed(0xb8, ...i32(n)); // mov eax, imm32
const movEdi = (n: number) => fixed(0xbf, ...i32(n)); // mov edi, imm32
const movEdx = (n: number) => fixed(0xba, ...i32(n)); // mov edx, imm32
const movR10d = (n: number) => fixed(0x41, 0xba, ...i32(n)); // mov r10d, imm32
const syscall = fixed(0x0f, 0x05);
const label = (name: string): Instr => ({ label: name });
// lea rsi, [rip + disp32]: the displacement counts from the end of this 7-byte instruction.
const leaRsi = (target: string): Instr => ({ size: 7, emit: (at, l) => [0x48, 0x8d, 0x35, ...i32(l(target) - (at + 7))] });
const rel8 = (opcode: number, target: string): Instr => ({
  size: 2,
  emit: (at, l) => [opcode, (l(target) - (at + 2)) & 0xff],
});
const quad = (fn: (l: (name: string) => number) => number): Instr => ({ size: 8, emit: (_at, l) => u64(fn(l)) });

function installHandler(signal: number, action: string): Instr[] {
  // rt_sigaction(signal, &action, NULL, sizeof(sigset_t) = 8)
  return [movEax(SYS.rt_sigaction), movEdi(signal), leaRsi(action), fixed(0x31, 0xd2) /* xor edx,edx */, movR10d(8), syscall];
}

// struct kernel_sigaction { handler, flags, restorer, mask } — four 64-bit words.
function sigaction(name: string, handler: string, flags: number): Instr[] {
  return [label(name), quad((l) => l(handler)), quad(() => flags | SA_RESTORER), quad((l) => l('restorer')), quad(() => 0)];
}

const PROGRAM: Instr[] = [
  ...installHandler(SIGTERM, 'act_exit'),
  ...installHandler(SIGINT, 'act_exit'),
  ...installHandler(SIGCHLD, 'act_reap'),
  label('sleep'),
  movEax(SYS.pause), syscall,
  rel8(0xeb, 'sleep'), // jmp sleep: pause returns after every handled signal
  label('exit'),
  movEax(SYS.exit_group), fixed(0x31, 0xff) /* xor edi,edi */, syscall,
  label('reap'), // wait4(-1, NULL, WNOHANG, NULL) until no child is left to collect
  movEax(SYS.wait4), movEdi(-1), fixed(0x31, 0xf6) /* xor esi,esi */, movEdx(WNOHANG), fixed(0x45, 0x31, 0xd2) /* xor r10d,r10d */,
  syscall,
  fixed(0x85, 0xc0), // test eax,eax
  rel8(0x7f, 'reap'), // jg reap
  fixed(0xc3), // ret: into sa_restorer
  label('restorer'),
  movEax(SYS.rt_sigreturn), syscall,
  { align: 8 }, // the sigaction structs are read as 64-bit words
  ...sigaction('act_exit', 'exit', 0),
  ...sigaction('act_reap', 'reap', SA_NOCLDSTOP),
];

function assemble(program: readonly Instr[], origin: number): Buffer {
  const padding = (at: number, align: number) => (align - (at % align)) % align;
  const labels = new Map<string, number>();
  let at = origin;
  for (const ins of program) {
    if ('label' in ins) labels.set(ins.label, at);
    else at += 'align' in ins ? padding(at, ins.align) : ins.size;
  }
  const lookup = (name: string): number => {
    const addr = labels.get(name);
    if (addr === undefined) throw new Error(`pause assembler: unknown label ${name}`);
    return addr;
  };
  const bytes: number[] = [];
  for (const ins of program) {
    if ('label' in ins) continue;
    if ('align' in ins) bytes.push(...Array<number>(padding(origin + bytes.length, ins.align)).fill(0x90)); // nop
    else bytes.push(...ins.emit(origin + bytes.length, lookup));
  }
  return Buffer.from(bytes);
}

/** pauseBinary returns the static x86-64 ELF executable of the pause process. */
export function pauseBinary(): Buffer {
  const code = assemble(PROGRAM, LOAD_ADDRESS + CODE_OFFSET);
  const fileSize = CODE_OFFSET + code.length;
  const eh = Buffer.alloc(ELF_HEADER_SIZE);
  eh.set([0x7f, 0x45, 0x4c, 0x46, 2 /* 64-bit */, 1 /* little endian */, 1 /* ELF v1 */], 0);
  eh.writeUInt16LE(2, 16); // ET_EXEC
  eh.writeUInt16LE(0x3e, 18); // EM_X86_64
  eh.writeUInt32LE(1, 20); // EV_CURRENT
  eh.writeBigUInt64LE(BigInt(LOAD_ADDRESS + CODE_OFFSET), 24); // e_entry
  eh.writeBigUInt64LE(BigInt(ELF_HEADER_SIZE), 32); // e_phoff
  eh.writeUInt16LE(ELF_HEADER_SIZE, 52); // e_ehsize
  eh.writeUInt16LE(PROGRAM_HEADER_SIZE, 54); // e_phentsize
  eh.writeUInt16LE(1, 56); // e_phnum
  const ph = Buffer.alloc(PROGRAM_HEADER_SIZE);
  ph.writeUInt32LE(1, 0); // PT_LOAD
  ph.writeUInt32LE(5, 4); // PF_R | PF_X
  ph.writeBigUInt64LE(BigInt(LOAD_ADDRESS), 16); // p_vaddr (maps the file from offset 0)
  ph.writeBigUInt64LE(BigInt(LOAD_ADDRESS), 24); // p_paddr
  ph.writeBigUInt64LE(BigInt(fileSize), 32); // p_filesz
  ph.writeBigUInt64LE(BigInt(fileSize), 40); // p_memsz
  ph.writeBigUInt64LE(0x1000n, 48); // p_align
  return Buffer.concat([eh, ph, code]);
}

/** pauseImage returns the OCI archive of the pause image (entrypoint /pause, user 65535 like upstream). */
export function pauseImage(name: string = PAUSE_IMAGE): Buffer {
  return buildImage({
    name,
    files: [{ path: 'pause', data: pauseBinary(), mode: 0o755 }],
    config: { Entrypoint: ['/pause'], WorkingDir: '/', User: '65535:65535' },
    gzipLevel: 9,
  });
}

/** Every command group, registered on the program in the order `wharf --help` lists them. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerImageCommands } from './images.js';
import { registerImageRemoveCommands } from './image-rm.js';
import { registerImageIoCommands } from './image-io.js';
import { registerInspectCommand } from './inspect.js';
import { registerSystemCommands } from './system.js';
import { registerLoginCommands } from './login.js';

export function registerCommands(program: Command, ctx: CliContext): void {
  const image = program.command('image').description('Manage images');
  registerImageCommands(program, image, ctx);
  registerImageRemoveCommands(program, image, ctx);
  registerImageIoCommands(program, image, ctx);
  registerInspectCommand(program, ctx);
  registerSystemCommands(program, ctx);
  registerLoginCommands(program);
}

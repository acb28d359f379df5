// `scheduler …`: the schedule runner on its own.
import type { Command } from "./command";

export const schedulerCommands: Command[] = [];

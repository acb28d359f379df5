// `clusterresource …`: the cluster-resource controller, once or in a loop.
import type { Command } from "./command";

export const clusterResourceCommands: Command[] = [];

// The compiler as the task rules call it: a compile failure is the client's, so it becomes
// InvalidArgument with the collected errors, worded as upstream's task manager words it.
import { compileTask } from "../../compiler/task";
import { CompileErrorList } from "../../compiler/errors";
import { invalidArgument } from "../../kernel/errors";
import type { TaskCompiler } from "./manager";

export const taskCompiler: TaskCompiler = (template) => {
  try {
    return compileTask(template);
  } catch (e) {
    if (e instanceof CompileErrorList) throw invalidArgument(`task failed compilation with ${e.message}`);
    throw e;
  }
};

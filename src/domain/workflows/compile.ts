// The compiler as the workflow rules call it. A requirements failure gets upstream's own prefix here;
// the workflow manager then wraps every compile error into its InvalidArgument text.
import { compileWorkflow } from "../../compiler/workflow";
import { workflowRequirements } from "../../compiler/requirements";
import { CompileErrorList } from "../../compiler/errors";
import type { WorkflowCompiler } from "./manager";

export const workflowCompiler: WorkflowCompiler = {
  requirements: (primary, subWorkflows) => {
    try {
      return workflowRequirements(primary, subWorkflows);
    } catch (e) {
      if (e instanceof CompileErrorList) throw new Error(`failed to get workflow requirements with err ${e.message}`);
      throw e;
    }
  },
  compile: compileWorkflow,
};

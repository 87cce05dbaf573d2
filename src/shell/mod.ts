export {
  buildEnvironmentScript,
  EnvironmentError,
  evaluateEnvironment,
  parseEnvironmentSpec,
} from "./evaluate_environment.ts";
export type { EnvironmentSpec } from "./evaluate_environment.ts";

// Bottleneck's light build (what @octokit/plugin-throttling loads) ships no types of its own; it
// has the full build's API without the Redis clustering.
declare module "bottleneck/light.js" {
  import Bottleneck from "bottleneck";
  export default Bottleneck;
}

// The light build of bottleneck (what the throttling plugin itself loads) has the full build's API.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}

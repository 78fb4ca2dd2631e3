export const id = 601;
export const ids = [601];
export const modules = {

/***/ 6601:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   machineGate: () => (/* binding */ machineGate)
/* harmony export */ });
/* unused harmony export flyMachineGate */
/* harmony import */ var _deploy_actions_fly__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3954);
/**
 * The Fly side of the gate, kept out of the package index so flyctl code loads only when
 * a gate checks machines (`import('@deploy-actions/health/fly')`).
 */

/** Any flyctl lists machines as JSON: take the one on PATH unless a version was asked for. */
const ANY_FLYCTL = '>=0.1.0';
function toGateMachine(m) {
    const release = (0,_deploy_actions_fly__WEBPACK_IMPORTED_MODULE_0__.machineReleaseVersion)(m);
    return {
        id: m.id,
        state: m.state ?? 'unknown',
        region: m.region ?? undefined,
        releaseVersion: release === undefined ? undefined : String(release),
        processGroup: (0,_deploy_actions_fly__WEBPACK_IMPORTED_MODULE_0__.machineProcessGroup)(m) || undefined,
        checks: m.checks.map((c) => ({ name: c.name ?? '?', status: c.status ?? 'unknown' })),
    };
}
/** Machine checks through flyctl (`machines list --json` each round, under the request timeout). */
async function flyMachineGate(options) {
    const env = options.env ?? process.env;
    // A missing token fails here, naming the input, before any flyctl download.
    const token = requireToken(options.token, env);
    const installed = await ensureFlyctl(options.flyctlVersion ?? ANY_FLYCTL, env);
    return machineGate(new Fly({ token, env, bin: installed.bin }), options);
}
/** The gate's machine checks over a flyctl the caller already set up. */
function machineGate(fly, target) {
    return {
        app: target.app,
        releaseVersion: target.releaseVersion,
        perMachine: target.perMachine,
        listMachines: async (timeoutMs) => (await (0,_deploy_actions_fly__WEBPACK_IMPORTED_MODULE_0__.listMachines)(fly, target.app, { timeoutMs })).map(toGateMachine),
    };
}


/***/ })

};

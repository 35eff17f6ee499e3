// Imported by the App child process in e2e tests: nothing but loopback is reachable from it either.
import nock from "nock";

nock.disableNetConnect();
nock.enableNetConnect(/127\.0\.0\.1|localhost/);

// The REST gateway's entry: mounting it, its route list, and its error shape for plain routes beside it.
export { mountRestGateway, type RestRoute } from "./routes";
export { gatewayError, httpStatusFromCode } from "./errors";

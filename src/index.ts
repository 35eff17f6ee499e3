export { default } from "./app/app.js";

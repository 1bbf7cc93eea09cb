// The cron parser lives in @skiff/api (the apiserver validates schedules with it); re-exported here for the controller.
export { parseCron, nextAfter, lastDue, type CronSchedule } from "@skiff/api";

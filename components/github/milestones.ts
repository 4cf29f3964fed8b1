// Weekly planning milestones: the weeks are named in config/weeks.ts, shared with what reads their progress (status/).
export { isoWeek, type Milestone, weekTitles as weeklyMilestones } from "../../config/weeks";

//! The builder over whole groups, from Ingresses and Services written as JSON.

mod class_params;
mod default_actions;
mod fixtures;
mod group_rules;
mod held_back;
mod listeners;
mod quotas;
mod target_groups;

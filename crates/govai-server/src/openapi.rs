//! `GET /openapi.json`: the API described for client generators and reviewers. The document is
//! kept by hand beside the code (openapi.json); a test checks that it names every route of
//! [`crate::api::ROUTES`] and nothing else.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The OpenAPI 3.1 document.
pub const DOCUMENT: &str = include_str!("openapi.json");

/// The handler.
pub async fn document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_every_route_and_only_those() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("valid JSON");
        let paths = doc["paths"].as_object().expect("paths");
        let mut documented: Vec<(String, String)> = paths
            .iter()
            .flat_map(|(path, ops)| ops.as_object().expect("operations").keys().map(move |m| (m.clone(), path.clone())))
            .collect();
        let mut served: Vec<(String, String)> =
            crate::api::ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
        documented.sort();
        served.sort();
        assert_eq!(documented, served);
    }
}

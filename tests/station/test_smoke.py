def test_person_page_shows_masked_id(person_a, worker, as_user):
    response = as_user(worker).get(f"/people/{person_a.pk}/")
    assert response.status_code == 200
    assert person_a.masked_id_number in response.content.decode()
    assert person_a.id_number not in response.content.decode()
